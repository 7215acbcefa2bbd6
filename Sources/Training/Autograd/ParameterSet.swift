import NeuralNet
import TensorEngine

/// Named float32 tensors that a trainer owns and mutates: the weights of a network, their gradients, or optimizer state.
///
/// A value type (each tensor is copy-on-write), so a snapshot for a checkpoint costs nothing until the next update.
/// Conforms to ``ParameterSource``, so the same set that is trained can compile an inference `Network` or be written
/// to a model file: the model code is the same, only the weight source differs (STYLE §3).
public struct ParameterSet: ParameterSource, Sendable, Equatable {
    /// Names in insertion order (the order checkpoints are written in).
    public private(set) var orderedNames: [String] = []
    private var tensors: [String: Tensor] = [:]

    /// An empty set.
    public init() {}

    /// A set holding copies of every parameter `source` lends, in `source.parameterNames` order.
    public init(copying source: any ParameterSource) throws {
        for name in source.parameterNames {
            let tensor = try source.withParameter(named: name) { view in
                Tensor(shape: view.shape, storage: TensorStorage(copying: view.values))
            }
            self[name] = tensor
        }
    }

    /// A zero-filled set with the same names and shapes as `other` (e.g. gradients or momentum buffers).
    public static func zeros(like other: ParameterSet) -> ParameterSet {
        var set = ParameterSet()
        for name in other.orderedNames { set[name] = Tensor(shape: other.tensors[name]!.shape) }
        return set
    }

    public var parameterNames: [String] { orderedNames }

    /// Number of scalar parameters.
    public var scalarCount: Int { tensors.values.reduce(0) { $0 + $1.count } }

    /// The named tensor; assigning nil removes it, assigning a new name appends it to ``orderedNames``.
    public subscript(name: String) -> Tensor? {
        get { tensors[name] }
        set {
            if let newValue {
                if tensors.updateValue(newValue, forKey: name) == nil { orderedNames.append(name) }
            } else if tensors.removeValue(forKey: name) != nil {
                orderedNames.removeAll { $0 == name }
            }
        }
    }

    /// Whether `name` is present.
    public func contains(_ name: String) -> Bool { tensors[name] != nil }

    /// Lends the named tensor's values for writing (copy-on-write). The pointer must not escape `body`.
    /// - Important: `name` must exist; a missing name is a programming error and traps.
    public mutating func withMutableValues<R>(of name: String, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        guard var tensor = tensors[name] else { preconditionFailure("ParameterSet: no parameter '\(name)'") }
        tensors[name] = nil  // drop the dictionary's reference so the write below does not copy
        defer { tensors[name] = tensor }
        return try tensor.withUnsafeMutableBufferPointer(body)
    }

    public func withParameter<R>(named name: String, _ body: (ParameterView) throws -> R) throws -> R {
        guard let tensor = tensors[name] else { throw NetworkError.missingParameter(name) }
        return try tensor.withUnsafeBufferPointer { try body(ParameterView(shape: tensor.shape, values: $0)) }
    }

    /// Same names with bitwise-equal tensors (the order of ``orderedNames`` is not compared).
    public static func == (lhs: ParameterSet, rhs: ParameterSet) -> Bool { lhs.tensors == rhs.tensors }

    /// The parameters as `ModelFile.write` takes them, in ``orderedNames`` order.
    public var namedValues: [(name: String, shape: [Int], values: [Float])] {
        orderedNames.map { ($0, tensors[$0]!.shape, tensors[$0]!.values) }
    }
}
