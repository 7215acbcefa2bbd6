import Foundation
import Geometry

/// A parsed JSON value (decoded with `JSONDecoder`, which keeps `true` and `1` apart on every platform).
enum JSONValue: Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? container.decode(Double.self) {
            self = .number(n)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

/// Typed access to a parsed JSON document with errors that name the file and the element path.
struct JSONCursor {
    let value: JSONValue
    let file: String
    /// Element path, e.g. `annotations[3].bbox`.
    let path: String

    /// Parses `data` as JSON.
    static func parse(_ data: Data, file: String) throws(EvaluationError) -> JSONCursor {
        do {
            return JSONCursor(value: try JSONDecoder().decode(JSONValue.self, from: data), file: file, path: "$")
        } catch {
            throw EvaluationError.malformed(file: file, element: "$", "not valid JSON")
        }
    }

    /// The member `key` of an object; nil when absent or null.
    func optional(_ key: String) throws(EvaluationError) -> JSONCursor? {
        guard case .object(let object) = value else { throw fail("expected an object") }
        guard let member = object[key] else { return nil }
        if case .null = member { return nil }
        return JSONCursor(value: member, file: file, path: path == "$" ? key : "\(path).\(key)")
    }

    /// The member `key` of an object, which must be present.
    func member(_ key: String) throws(EvaluationError) -> JSONCursor {
        guard let member = try optional(key) else {
            throw EvaluationError.malformed(file: file, element: path == "$" ? key : "\(path).\(key)", "missing")
        }
        return member
    }

    /// The elements of an array.
    func elements() throws(EvaluationError) -> [JSONCursor] {
        guard case .array(let array) = value else { throw fail("expected an array") }
        return array.enumerated().map { JSONCursor(value: $1, file: file, path: "\(path)[\($0)]") }
    }

    /// A finite number.
    func number() throws(EvaluationError) -> Double {
        guard case .number(let n) = value, n.isFinite else { throw fail("expected a number") }
        return n
    }

    /// An integer (a number without fraction).
    func integer() throws(EvaluationError) -> Int {
        let n = try number()
        guard n == n.rounded(), abs(n) < 1e15 else { throw fail("expected an integer") }
        return Int(n)
    }

    /// A string.
    func string() throws(EvaluationError) -> String {
        guard case .string(let s) = value else { throw fail("expected a string") }
        return s
    }

    /// True when the value is a string.
    var isString: Bool {
        if case .string = value { return true }
        return false
    }

    /// A 0/1 or boolean flag.
    func flag() throws(EvaluationError) -> Bool {
        if case .bool(let b) = value { return b }
        let n = try integer()
        guard n == 0 || n == 1 else { throw fail("expected 0 or 1") }
        return n == 1
    }
    /// COCO `[x, y, width, height]` as corners.
    func cocoBox() throws(EvaluationError) -> Box {
        let values = try elements().map { (e: JSONCursor) throws(EvaluationError) -> Double in try e.number() }
        guard values.count == 4, values[2] >= 0, values[3] >= 0 else { throw fail("expected [x, y, width, height] with width, height ≥ 0") }
        return Box(x: values[0], y: values[1], width: values[2], height: values[3])
    }

    func fail(_ problem: String) -> EvaluationError { EvaluationError.malformed(file: file, element: path, problem) }
}
