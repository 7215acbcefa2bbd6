/// A float32 tensor: a shape and row-major values, with copy-on-write value semantics.
///
/// Images and activations are NHWC; batch 1 activations are usually stored as `[H, W, C]`.
public struct Tensor: Sendable {
    /// Extent of each axis, outermost first.
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage

    /// A zero-filled (or `value`-filled) tensor.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        self.shape = shape
        self.storage = TensorStorage(count: shape.reduce(1, *))
        if value != 0 { storage.pointer.update(repeating: value, count: storage.count) }
    }

    /// A tensor holding `values` in row-major order; `values.count` must equal the product of `shape`.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "Tensor: \(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.storage = values.withUnsafeBufferPointer { TensorStorage(copying: $0) }
    }

    /// Wraps an existing storage; `storage.count` must equal the product of `shape`.
    public init(shape: [Int], storage: TensorStorage) {
        precondition(shape.reduce(1, *) == storage.count, "Tensor: storage of \(storage.count) does not fit shape \(shape)")
        self.shape = shape
        self.storage = storage
    }

    /// Number of elements.
    public var count: Int { storage.count }

    /// The values in row-major order (a copy).
    public var values: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: storage.count)) }

    /// Element at a flat row-major index.
    public subscript(flat index: Int) -> Float {
        get {
            precondition(index >= 0 && index < count, "Tensor: flat index \(index) out of range 0..<\(count)")
            return storage.pointer[index]
        }
        set {
            precondition(index >= 0 && index < count, "Tensor: flat index \(index) out of range 0..<\(count)")
            makeUnique()
            storage.pointer[index] = newValue
        }
    }

    /// Element at a multi-dimensional index (one coordinate per axis).
    public subscript(_ index: Int...) -> Float {
        get { self[flat: flatIndex(index)] }
        set { self[flat: flatIndex(index)] = newValue }
    }

    /// Lends the values read-only. The pointer must not escape `body`.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count)) }
    }

    /// Lends the values for writing, copying them first if the storage is shared. The pointer must not escape `body`.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try withExtendedLifetime(storage) {
            try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
        }
    }

    /// The same values under a new shape with the same element count (shares storage until written).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "Tensor.reshaped: \(shape) has \(count) elements, \(newShape) does not")
        return Tensor(shape: newShape, storage: storage)
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "Tensor: index \(index) does not match rank of \(shape)")
        var flat = 0
        for (axis, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[axis], "Tensor: index \(index) out of bounds for \(shape)")
            flat = flat * shape[axis] + i
        }
        return flat
    }
}

extension Tensor: Equatable {
    /// Equal shapes and bitwise-equal values.
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && (lhs.storage === rhs.storage || lhs.values == rhs.values)
    }
}
