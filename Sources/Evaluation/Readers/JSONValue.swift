import Foundation

/// Typed access to `JSONSerialization` output with errors that name the file and the element path.
struct JSONCursor {
    let value: Any
    let file: String
    /// Element path, e.g. `annotations[3].bbox`.
    let path: String

    /// Parses `data` as JSON.
    static func parse(_ data: Data, file: String) throws(EvaluationError) -> JSONCursor {
        do {
            return JSONCursor(value: try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]), file: file, path: "$")
        } catch {
            throw EvaluationError.malformed(file: file, element: "$", "not valid JSON (\(error.localizedDescription))")
        }
    }

    /// The member `key` of an object; nil when absent or null.
    func optional(_ key: String) throws(EvaluationError) -> JSONCursor? {
        guard let object = value as? [String: Any] else { throw fail("expected an object") }
        guard let member = object[key], !(member is NSNull) else { return nil }
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
        guard let array = value as? [Any] else { throw fail("expected an array") }
        return array.enumerated().map { JSONCursor(value: $1, file: file, path: "\(path)[\($0)]") }
    }

    /// A finite number.
    func number() throws(EvaluationError) -> Double {
        guard let n = value as? NSNumber, !(value is Bool), n.doubleValue.isFinite else { throw fail("expected a number") }
        return n.doubleValue
    }

    /// An integer (a number without fraction).
    func integer() throws(EvaluationError) -> Int {
        let n = try number()
        guard n == n.rounded(), abs(n) < 1e15 else { throw fail("expected an integer") }
        return Int(n)
    }

    /// A string.
    func string() throws(EvaluationError) -> String {
        guard let s = value as? String else { throw fail("expected a string") }
        return s
    }

    /// A 0/1 or boolean flag.
    func flag() throws(EvaluationError) -> Bool {
        if let b = value as? Bool { return b }
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
