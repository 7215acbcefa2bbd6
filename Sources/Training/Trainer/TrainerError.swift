/// Errors of the autograd executor, the optimizers and the trainer. Each message says what failed, on what, expected
/// versus actual, and how to fix it.
public struct TrainerError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case invalidGraph
        case shapeMismatch
        case invalidConfiguration
        case dataSource
        case checkpoint
    }

    private let kind: Kind
    /// The full message.
    public let description: String

    private init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// A graph node whose inputs or attributes the trainer cannot run.
    public static func invalidGraph(node: String, reason: String) -> TrainerError {
        .init(.invalidGraph, "node '\(node)': \(reason)")
    }

    /// A tensor (input, parameter, output gradient) with the wrong shape.
    public static func shapeMismatch(_ what: String, expected: [Int], actual: [Int]) -> TrainerError {
        .init(.shapeMismatch, "\(what) has shape \(actual), expected \(expected)")
    }

    /// A trainer or optimizer setting out of range.
    public static func invalidConfiguration(_ reason: String) -> TrainerError {
        .init(.invalidConfiguration, "invalid training configuration: \(reason)")
    }

    /// The batch source failed or produced unusable samples.
    public static func dataSource(_ reason: String) -> TrainerError {
        .init(.dataSource, "training data: \(reason)")
    }

    /// A checkpoint that cannot be resumed from.
    public static func checkpoint(file: String, reason: String) -> TrainerError {
        .init(.checkpoint, "checkpoint \(file): \(reason)")
    }

    /// Whether two errors are of the same kind (messages may differ).
    public func isSameKind(as other: TrainerError) -> Bool { kind == other.kind }
}
