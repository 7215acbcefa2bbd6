import Foundation

/// Decodes evaluation inputs with `JSONDecoder`, turning every decoding failure into an ``EvaluationError`` that names
/// the file and the coding path of the value at fault (`annotations[3].bbox`, `$[0].score`, `$` for the document).
///
/// The `Decodable` types of the readers validate each value as it is decoded (finite numbers, integer ids within
/// ±10¹⁵, boxes of exactly four numbers with non-negative sizes), so nothing unchecked reaches the metrics.
enum JSONDocument {
    /// Largest JSON file read: the COCO 2017 train annotations are about 450 MB.
    static let maxFileBytes = 2 << 30

    /// Decodes `data` as `T`; `file` names the input in errors.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws(EvaluationError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let problem as JSONValueProblem {
            throw EvaluationError.malformed(file: file, element: problem.element, problem.message)
        } catch let error as DecodingError {
            throw evaluationError(error, file: file)
        } catch {
            throw EvaluationError.malformed(file: file, element: "$", "cannot be decoded: \(error)")
        }
    }

    /// The path of a value as the readers print it: keys joined by `.`, array indices in brackets, `$` for the root
    /// (and before an index applied to the root).
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                text += text.isEmpty ? "$[\(index)]" : "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "$" : text
    }

    /// One error per `DecodingError` case; a `null` counts as missing, as an absent member does.
    private static func evaluationError(_ error: DecodingError, file: String) -> EvaluationError {
        switch error {
        case .keyNotFound(let key, let context):
            return EvaluationError.malformed(file: file, element: path(context.codingPath + [key]), "missing")
        case .valueNotFound(_, let context):
            return EvaluationError.malformed(file: file, element: path(context.codingPath), "missing")
        case .typeMismatch(let type, let context):
            return EvaluationError.malformed(file: file, element: path(context.codingPath), "expected \(describe(type))")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return EvaluationError.malformed(file: file, element: "$", "not valid JSON")
        case .dataCorrupted(let context):
            return EvaluationError.malformed(file: file, element: path(context.codingPath), context.debugDescription)
        @unknown default:
            return EvaluationError.malformed(file: file, element: "$", "cannot be decoded: \(error)")
        }
    }

    /// "an object", "an array", "a string", … for the type a decoder wanted.
    private static func describe(_ type: Any.Type) -> String {
        switch ObjectIdentifier(type) {
        case ObjectIdentifier([String: Any].self): return "an object"
        case ObjectIdentifier([Any].self): return "an array"
        case ObjectIdentifier(String.self): return "a string"
        case ObjectIdentifier(Bool.self): return "true or false"
        case ObjectIdentifier(Double.self), ObjectIdentifier(Float.self): return "a number"
        case ObjectIdentifier(Int.self): return "an integer"
        default: return "\(type)"
        }
    }
}

/// A value that decoded but failed validation: where it is and what is wrong with it.
struct JSONValueProblem: Error {
    /// The value's path as ``JSONDocument/path(_:)`` prints it.
    var element: String
    var message: String

    init(_ decoder: any Decoder, _ message: String) {
        self.element = JSONDocument.path(decoder.codingPath)
        self.message = message
    }
}
