/// Why an evaluation input cannot be used: the message names the file and the element at fault.
public struct EvaluationError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case malformed(file: String, element: String, problem: String)
        case missing(String)
        case unknownImage(String)
    }

    private let kind: Kind

    /// `file` cannot be read as expected at `element` (e.g. `object[2]/bndbox/xmin`).
    public static func malformed(file: String, element: String, _ problem: String) -> EvaluationError {
        EvaluationError(kind: .malformed(file: file, element: element, problem: problem))
    }

    /// A required file or directory is absent.
    public static func missing(_ path: String) -> EvaluationError { EvaluationError(kind: .missing(path)) }

    /// A detection refers to an image that is not in the ground truth.
    public static func unknownImage(_ id: String) -> EvaluationError { EvaluationError(kind: .unknownImage(id)) }

    public var description: String {
        switch kind {
        case .malformed(let file, let element, let problem): return "\(file): \(element): \(problem)"
        case .missing(let path): return "\(path): no such file or directory"
        case .unknownImage(let id): return "a detection refers to image '\(id)', which the ground truth does not contain"
        }
    }
}
