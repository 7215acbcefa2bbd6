import Foundation
import SwiftProtobuf

/// The values of a caffemodel blob, as float32.
///
/// Caffe writes a blob's `data` (or `double_data`) as one packed record of little-endian values, which ssdd's
/// caffe.proto subset declares as bytes so the decoder copies it whole; the values are reinterpreted here, after the
/// byte count is checked against the count the blob's shape needs. Values written unpacked (one record per value:
/// legal protobuf that Caffe never writes) are the blob's unknown fields and are decoded from there. A blob with
/// float values uses them; otherwise its double values are converted (the same rule as Caffe's `FromProto`).
enum CaffeBlobValues {
    /// The `count` values of `blob`; `fail` turns a reason (starting with a verb: "holds 7 values, the shape needs 8")
    /// into the caller's error.
    static func floats(
        of blob: Caffe_BlobProto, count: Int, limits: CaffeReadLimits, fail: (String) -> ModelImportError
    ) throws -> [Float] {
        var unpacked = Caffe_BlobValueRecords()
        if !blob.unknownFields.data.isEmpty {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = limits.maximumMessageDepth
            do {
                unpacked = try Caffe_BlobValueRecords(serializedBytes: blob.unknownFields.data, options: options)
            } catch {
                throw fail("has value records that do not decode (\(error))")
            }
        }
        let floatBytes = blob.data.reduce(0) { $0 + $1.count }
        let doubleBytes = blob.doubleData.reduce(0) { $0 + $1.count }
        if floatBytes > 0 || !unpacked.data.isEmpty || (doubleBytes == 0 && unpacked.doubleData.isEmpty) {
            guard floatBytes == 0 || unpacked.data.isEmpty else {
                throw fail("holds float values both packed and unpacked; save the model again with Caffe")
            }
            if !unpacked.data.isEmpty {
                return try checked(unpacked.data, count: count, fail: fail)
            }
            return try reinterpreted(blob.data, bytes: floatBytes, as: Float.self, count: count, fail: fail)
        }
        guard doubleBytes == 0 || unpacked.doubleData.isEmpty else {
            throw fail("holds double values both packed and unpacked; save the model again with Caffe")
        }
        let doubles =
            unpacked.doubleData.isEmpty
            ? try reinterpreted(blob.doubleData, bytes: doubleBytes, as: Double.self, count: count, fail: fail)
            : try checked(unpacked.doubleData, count: count, fail: fail)
        return doubles.map { Float($0) }
    }

    private static func checked<Value>(_ values: [Value], count: Int, fail: (String) -> ModelImportError) throws -> [Value] {
        guard values.count == count else {
            throw fail("holds \(values.count) \(Value.self == Double.self ? "double " : "")values, the shape needs \(count)")
        }
        return values
    }

    /// The little-endian values in `records` (packed records, concatenated in order), which hold `bytes` bytes.
    private static func reinterpreted<Value: BinaryFloatingPoint>(
        _ records: [Data], bytes: Int, as type: Value.Type, count: Int, fail: (String) -> ModelImportError
    ) throws -> [Value] {
        let size = MemoryLayout<Value>.size
        let kind = Value.self == Double.self ? "double " : ""
        guard bytes % size == 0 else {
            throw fail("holds \(bytes) bytes of packed \(kind)values, not a whole number of \(size)-byte values")
        }
        guard bytes / size == count else {
            throw fail("holds \(bytes / size) \(kind)values, the shape needs \(count)")
        }
        return [Value](unsafeUninitializedCapacity: count) { buffer, initialized in
            let destination = UnsafeMutableRawBufferPointer(buffer)
            var offset = 0
            for record in records {
                record.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(rebasing: destination[offset..<offset + source.count]).copyMemory(from: source)
                }
                offset += record.count
            }
            #if _endian(big)
            for i in 0..<count { destination[i * size..<(i + 1) * size].reverse() }
            #endif
            initialized = count
        }
    }
}
