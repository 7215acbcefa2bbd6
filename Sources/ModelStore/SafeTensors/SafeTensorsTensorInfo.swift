/// One tensor as a safetensors header describes it, after validation.
public struct SafeTensorsTensorInfo: Sendable, Equatable {
    /// The tensor's key in the header.
    public let name: String
    public let dtype: SafeTensorsDType
    /// Dimensions, outermost first (row-major data).
    public let shape: [Int]
    /// Byte range inside the data section (after the header), as `data_offsets` states it.
    public let byteRange: Range<Int>

    /// Number of elements (product of the shape; 1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}
