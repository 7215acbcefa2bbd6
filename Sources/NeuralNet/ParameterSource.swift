/// A borrowed view of one named parameter tensor: its shape and its float32 values in row-major order.
///
/// - Important: `values` is valid only inside the `withParameter` closure that lends it; copy what you keep.
public struct ParameterView {
    public let shape: [Int]
    public let values: UnsafeBufferPointer<Float>

    public init(shape: [Int], values: UnsafeBufferPointer<Float>) {
        self.shape = shape
        self.values = values
    }
}

/// Where a ``Network`` gets its weights: a memory-mapped model file, an in-memory dictionary, or a trainer's variables.
public protocol ParameterSource {
    /// Names of all parameters the source holds.
    var parameterNames: [String] { get }
    /// Lends the named parameter to `body`; throws ``NetworkError`` when the name is unknown.
    func withParameter<R>(named name: String, _ body: (ParameterView) throws -> R) throws -> R
    /// Tells the source that the named parameter has been copied where it is needed, so memory it holds only for
    /// lending may be released (a memory-mapped file drops its pages; they come back from the file if lent again).
    func releaseParameter(named name: String)
}

extension ParameterSource {
    /// Nothing to release for sources that own their values.
    public func releaseParameter(named name: String) {}
}

/// Parameters held in Swift arrays (tests, importers, the trainer).
public struct InMemoryParameters: ParameterSource, Sendable {
    public var tensors: [String: (shape: [Int], values: [Float])]

    public init(_ tensors: [String: (shape: [Int], values: [Float])] = [:]) {
        self.tensors = tensors
    }

    public var parameterNames: [String] { tensors.keys.sorted() }

    public func withParameter<R>(named name: String, _ body: (ParameterView) throws -> R) throws -> R {
        guard let entry = tensors[name] else { throw NetworkError.missingParameter(name) }
        return try entry.values.withUnsafeBufferPointer { try body(ParameterView(shape: entry.shape, values: $0)) }
    }
}
