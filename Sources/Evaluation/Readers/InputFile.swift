import Foundation

/// Reading an input file whole, with a size bound checked before anything is allocated.
enum InputFile {
    /// The contents of `path`; refused when absent, unreadable or larger than `limit` bytes.
    static func contents(of path: String, limit: Int) throws(EvaluationError) -> Data {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { throw EvaluationError.missing(path) }
        if let size = attributes[.size] as? Int, size > limit {
            throw EvaluationError.malformed(file: path, element: "$", "the file is \(size) bytes; at most \(limit) are read")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw EvaluationError.missing(path) }
        guard data.count <= limit else {
            throw EvaluationError.malformed(file: path, element: "$", "the file is more than \(limit) bytes long")
        }
        return data
    }
}
