import Foundation

/// The parsed and validated JSON header of a safetensors file.
///
/// Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets}, …,
/// "__metadata__": {string: string}}`, then the data section that `data_offsets` index (relative to its start).
struct SafeTensorsHeader {
    /// Largest header accepted; guards against absurd lengths in corrupt files (the reference implementation uses 100 MB).
    static let maximumHeaderLength: UInt64 = 100_000_000
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
        let headerBytes = Data(bytes[8..<(8 + Int(length))])
        let entries: [String: RawEntry]
        do {
            entries = try JSONDecoder().decode([String: RawEntry].self, from: headerBytes)
        } catch {
            throw ModelStoreError.malformedHeader(
                file: file, reason: "not a JSON object of tensor entries (invalid JSON, UTF-8 or structure)")
        }
        dataStart = 8 + Int(length)
        let dataSize = bytes.count - dataStart

        var metadata: [String: String] = [:]
        var tensors: [SafeTensorsTensorInfo] = []
        for name in entries.keys.sorted() {
            let entry = entries[name]!
            if name == Self.metadataKey {
                guard let strings = entry.strings else {
                    throw ModelStoreError.malformedHeader(file: file, reason: "__metadata__ must map strings to strings")
                }
                metadata = strings
                continue
            }
            tensors.append(try Self.validate(entry, name: name, file: file, dataSize: dataSize))
        }
        tensors.sort { ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name) < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name) }
        for (previous, next) in zip(tensors, tensors.dropFirst()) where previous.byteRange.overlaps(next.byteRange) {
            throw ModelStoreError.overlappingTensors(file: file, first: previous.name, second: next.name)
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func validate(_ entry: RawEntry, name: String, file: String, dataSize: Int) throws
        -> SafeTensorsTensorInfo
    {
        guard entry.isObject else {
            throw ModelStoreError.malformedTensorEntry(file: file, tensor: name, reason: "not a JSON object")
        }
        guard let dtypeName = entry.dtype else {
            throw ModelStoreError.malformedTensorEntry(file: file, tensor: name, reason: "'dtype' must be a string")
        }
        guard let shape = entry.shape else {
            throw ModelStoreError.malformedTensorEntry(
                file: file, tensor: name, reason: "'shape' must be an array of integers")
        }
        guard let offsets = entry.offsets, offsets.count == 2 else {
            throw ModelStoreError.malformedTensorEntry(
                file: file, tensor: name, reason: "'data_offsets' must be an array of two integers")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw ModelStoreError.unknownDType(file: file, tensor: name, dtype: dtypeName)
        }
        var byteCount = dtype.byteSize
        for dimension in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, !overflow else {
                throw ModelStoreError.invalidShape(file: file, tensor: name, shape: shape)
            }
            byteCount = product
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw ModelStoreError.offsetsOutOfRange(file: file, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        guard end - begin == byteCount else {
            throw ModelStoreError.byteCountMismatch(
                file: file, tensor: name, dtype: dtypeName, shape: shape, expected: byteCount, actual: end - begin)
        }
        return SafeTensorsTensorInfo(name: name, dtype: dtype, shape: shape, byteRange: begin..<end)
    }
}

/// One header value decoded leniently, so that validation can name the offending tensor and field.
private struct RawEntry: Decodable {
    var isObject = false
    var dtype: String?
    var shape: [Int]?
    var offsets: [Int]?
    /// The value as a string-to-string map (used for `__metadata__`).
    var strings: [String: String]?

    private enum Key: String, CodingKey {
        case dtype
        case shape
        case dataOffsets = "data_offsets"
    }

    init(from decoder: any Decoder) throws {
        strings = try? [String: String](from: decoder)
        guard let container = try? decoder.container(keyedBy: Key.self) else { return }
        isObject = true
        dtype = try? container.decode(String.self, forKey: .dtype)
        shape = try? container.decode([Int].self, forKey: .shape)
        offsets = try? container.decode([Int].self, forKey: .dataOffsets)
    }
}
