/// A float32 tensor read from a PyTorch checkpoint, with its values made contiguous (row-major).
public struct TorchTensor: Sendable, Equatable {
    /// Extent of each axis (`[]` for a 0-d tensor).
    public var shape: [Int]
    /// Element strides as stored in the checkpoint (before making the values contiguous).
    public var strides: [Int]
    /// Offset, in elements, of the first value within its storage, as stored.
    public var storageOffset: Int
    /// `shape.reduce(1, *)` values in row-major order.
    public var values: [Float]

    public init(shape: [Int], strides: [Int], storageOffset: Int, values: [Float]) {
        self.shape = shape
        self.strides = strides
        self.storageOffset = storageOffset
        self.values = values
    }
}

extension TorchTensorReference {
    /// Elements the view covers, or nil on overflow.
    var elementCount: Int? {
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// One past the highest storage index the view reads (0 for an empty view), or nil on overflow.
    var storageEnd: Int? {
        guard let count = elementCount else { return nil }
        if count == 0 { return 0 }
        var last = storageOffset
        for (extent, stride) in zip(shape, strides) {
            let (step, overflow1) = (extent - 1).multipliedReportingOverflow(by: stride)
            let (sum, overflow2) = last.addingReportingOverflow(step)
            if overflow1 || overflow2 { return nil }
            last = sum
        }
        return last.addingReportingOverflow(1).overflow ? nil : last + 1
    }

    /// Gathers the view's values from `storage` in row-major order. The caller has checked `storageEnd <= storage.count`.
    func gather(from storage: UnsafeBufferPointer<Float>, count: Int) -> [Float] {
        if count == 0 { return [] }
        // An axis of extent 1 is never stepped along, so its stride (which may be anything) does not matter; zero keeps
        // the odometer below from adding it.
        let strides = zip(shape, strides).map { $0 == 1 ? 0 : $1 }
        var contiguous = true
        var expected = 1
        for (extent, stride) in zip(shape, strides).reversed() where extent != 1 {
            if stride != expected { contiguous = false }
            expected *= extent
        }
        if contiguous { return Array(storage[storageOffset..<(storageOffset + count)]) }
        return [Float](unsafeUninitializedCapacity: count) { output, initialized in
            var index = [Int](repeating: 0, count: shape.count)
            var source = storageOffset
            for flat in 0..<count {
                output[flat] = storage[source]
                // Odometer over the axes, innermost fastest.
                var axis = shape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    source += strides[axis]
                    if index[axis] < shape[axis] { break }
                    source -= strides[axis] * shape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
            initialized = count
        }
    }
}
