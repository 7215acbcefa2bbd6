import Foundation

/// Writes float32 tensors and a string metadata map as a safetensors file.
///
/// The header is JSON with sorted keys, padded with spaces so the data section starts at a multiple of 8 bytes; tensors
/// follow in the order given, little-endian, without gaps, so every tensor is 4-byte aligned when the file is mapped.
public enum SafeTensorsWriter {
    /// One float32 tensor to write.
    public struct Tensor: Sendable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// Writes `tensors` and `metadata` to `url` atomically (``AtomicFileWriter``: a temporary file beside it, flushed,
    /// renamed into place).
    ///
    /// Throws ``ModelStoreError/invalidParameter(tensor:reason:)`` when a tensor's value count differs from its shape,
    /// a name repeats or is `__metadata__`; ``ModelStoreError/cannotWrite(file:reason:)`` when the file cannot be written.
    public static func write(tensors: [Tensor], metadata: [String: String], to url: URL) throws {
        let data = try encode(tensors: tensors, metadata: metadata)
        do {
            try AtomicFileWriter.write(data, to: url.path)
        } catch {
            throw ModelStoreError.cannotWrite(file: url.path, reason: "\(error)")
        }
    }

    /// The complete file contents for `tensors` and `metadata`.
    public static func encode(tensors: [Tensor], metadata: [String: String]) throws -> Data {
        var entries: [String: HeaderValue] = [:]
        var offset = 0
        for tensor in tensors {
            guard tensor.name != SafeTensorsHeader.metadataKey else {
                throw ModelStoreError.invalidParameter(tensor: tensor.name, reason: "the name is reserved for metadata")
            }
            guard entries[tensor.name] == nil else {
                throw ModelStoreError.invalidParameter(tensor: tensor.name, reason: "the name appears twice")
            }
            let expected = tensor.shape.reduce(1, *)
            guard tensor.shape.allSatisfy({ $0 >= 0 }), expected == tensor.values.count else {
                throw ModelStoreError.invalidParameter(
                    tensor: tensor.name,
                    reason: "shape \(tensor.shape) needs \(expected) values, got \(tensor.values.count)")
            }
            let byteCount = tensor.values.count * MemoryLayout<Float>.size
            entries[tensor.name] = .tensor(TensorEntry(dtype: "F32", shape: tensor.shape, offsets: [offset, offset + byteCount]))
            offset += byteCount
        }
        if !metadata.isEmpty {
            entries[SafeTensorsHeader.metadataKey] = .metadata(metadata)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var header = try encoder.encode(entries)
        let padding = (8 - (8 + header.count) % 8) % 8
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))

        var data = Data(capacity: 8 + header.count + offset)
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(header)
        for tensor in tensors {
            tensor.values.withUnsafeBufferPointer { buffer in
                #if _endian(big)
                for value in buffer {
                    var bits = value.bitPattern.littleEndian
                    withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
                }
                #else
                data.append(UnsafeBufferPointer(start: buffer.baseAddress, count: buffer.count))
                #endif
            }
        }
        return data
    }
}

private struct TensorEntry: Encodable {
    var dtype: String
    var shape: [Int]
    var offsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype
        case shape
        case offsets = "data_offsets"
    }
}

private enum HeaderValue: Encodable {
    case tensor(TensorEntry)
    case metadata([String: String])

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .tensor(let entry): try entry.encode(to: encoder)
        case .metadata(let map): try map.encode(to: encoder)
        }
    }
}
