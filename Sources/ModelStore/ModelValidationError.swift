import NeuralNet

/// Why a native model file cannot be run: one value of its manifest or graph out of range, two parts that disagree, a
/// network too large for memory, or an option that does not fit the model.
///
/// Every message names the file and the key of the value at fault, as a path into the file's metadata: manifest keys as
/// they appear in `ssdd.manifest` (`postprocessing.maxDetections`, `anchors.featureMapSizes[2]`), graph keys prefixed
/// with `graph.` (`graph.nodes['conv1'].padding.top`, `graph.inputShape`).
public struct ModelValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model file.
    public let file: String
    /// The manifest or graph key at fault (`labels` for an unknown label option).
    public let key: String
    /// What is wrong with it, phrased to follow the key (`must be in 1...10000, got -1`).
    public let problem: String

    /// A value (or values) at `key` that cannot be used; `problem` follows the key in the message.
    public init(file: String, key: String, problem: String) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    /// Throws for `value` at `key` outside `range`.
    public static func check<T: Comparable>(_ value: T, in range: ClosedRange<T>, file: String, key: String) throws(Self) {
        guard range.contains(value) else {
            throw Self(file: file, key: key, problem: "must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
    }

    /// Throws for `value` at `key` that is not finite or outside `range`.
    public static func check(_ value: Float, finiteIn range: ClosedRange<Float>, file: String, key: String) throws(Self) {
        guard value.isFinite, range.contains(value) else {
            throw Self(file: file, key: key, problem: "must be finite and in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
    }

    /// A graph error (shape inference or compilation) as a validation error naming the graph key.
    public init(_ error: NetworkError, file: String) {
        switch error {
        case .invalidValue(let key, let reason):
            self.init(file: file, key: "graph.\(key)", problem: reason)
        case .invalidNode(let node, let reason):
            self.init(file: file, key: "graph.nodes['\(node)']", problem: "is invalid: \(reason)")
        case .unknownInput(let node, let input) where node == "outputs":
            self.init(file: file, key: "graph.outputs", problem: "names '\(input)', which no node defines")
        case .unknownInput(let node, let input):
            self.init(file: file, key: "graph.nodes['\(node)'].inputs", problem: "names '\(input)', which no earlier node defines")
        case .exceedsMemoryLimit(let footprint, let limit):
            self.init(file: file, key: "graph", problem: "needs \(footprint), more than the limit of \(NetworkFootprint.format(bytes: limit))")
        case .missingParameter, .parameterShape, .inputShape:
            self.init(file: file, key: "graph", problem: "cannot be compiled: \(error)")
        }
    }

    public var description: String { "'\(file)': \(key) \(problem)" }
}
