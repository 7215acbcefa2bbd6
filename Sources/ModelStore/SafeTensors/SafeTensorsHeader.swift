import Foundation

/// The parsed and validated JSON header of a safetensors file.
///
/// Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets}, …,
/// "__metadata__": {string: string}}`, then the data section that `data_offsets` index (relative to its start).
struct SafeTensorsHeader {
    /// Largest header accepted. The reference implementation allows 100 MB; ssdd's own headers (the manifest and graph
    /// in `__metadata__`) are a few hundred kilobytes and the largest public checkpoints' a few megabytes, and parsing
    /// costs memory in proportion, so 16 MiB bounds what a hostile header can cost.
    static let maximumHeaderLength: UInt64 = 16 << 20
    /// Key of the string-to-string metadata map.
    static let metadataKey = "__metadata__"

    /// Tensors in ascending data-offset order.
    let tensors: [SafeTensorsTensorInfo]
    let metadata: [String: String]
    /// Offset of the data section from the start of the file.
    let dataStart: Int

    /// Parses and validates the header of `bytes` (the whole file); `file` names the file in errors.
    init(bytes: UnsafeRawBufferPointer, file: String) throws {
        guard bytes.count >= 8 else { throw ModelStoreError.fileTooShort(file: file, size: bytes.count) }
        var length: UInt64 = 0
        for index in (0..<8).reversed() {
            length = length << 8 | UInt64(bytes[index])
        }
        guard length <= UInt64(bytes.count - 8) else {
            throw ModelStoreError.headerPastEnd(file: file, headerLength: length, fileSize: bytes.count)
        }
        guard length <= Self.maximumHeaderLength else {
            throw ModelStoreError.malformedHeader(
                file: file, reason: "header length \(length) exceeds \(Self.maximumHeaderLength) bytes")
        }
        var parser = SafeTensorsHeaderParser(bytes: Array(bytes[8..<(8 + Int(length))]), file: file)
        let (entries, metadata) = try parser.parse()
        dataStart = 8 + Int(length)
        let dataSize = bytes.count - dataStart

        var tensors: [SafeTensorsTensorInfo] = []
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            tensors.append(try Self.validate(entry, file: file, dataSize: dataSize))
        }
        tensors.sort { ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name) < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name) }
        // Each range is compared with the furthest end seen so far, not only with its neighbour: [0, 100) overlaps
        // [60, 64) even with other ranges sorted between them. Empty ranges hold no bytes and overlap nothing.
        var furthest: SafeTensorsTensorInfo?
        for tensor in tensors where !tensor.byteRange.isEmpty {
            if let previous = furthest, tensor.byteRange.lowerBound < previous.byteRange.upperBound {
                throw ModelStoreError.overlappingTensors(file: file, first: previous.name, second: tensor.name)
            }
            if tensor.byteRange.upperBound > (furthest?.byteRange.upperBound ?? 0) { furthest = tensor }
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func validate(
        _ entry: SafeTensorsHeaderParser.Entry, file: String, dataSize: Int
    ) throws
        -> SafeTensorsTensorInfo
    {
        let name = entry.name
        guard let dtype = SafeTensorsDType(rawValue: entry.dtype) else {
            throw ModelStoreError.unknownDType(file: file, tensor: name, dtype: SafeTensorsHeaderParser.shown(entry.dtype))
        }
        let shape = entry.shape
        var byteCount = dtype.byteSize
        for dimension in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, !overflow else {
                throw ModelStoreError.invalidShape(file: file, tensor: name, shape: shape)
            }
            byteCount = product
        }
        let (begin, end) = entry.offsets
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw ModelStoreError.offsetsOutOfRange(file: file, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        guard end - begin == byteCount else {
            throw ModelStoreError.byteCountMismatch(
                file: file, tensor: name, dtype: entry.dtype, shape: shape, expected: byteCount, actual: end - begin)
        }
        return SafeTensorsTensorInfo(name: name, dtype: dtype, shape: shape, byteRange: begin..<end)
    }
}
