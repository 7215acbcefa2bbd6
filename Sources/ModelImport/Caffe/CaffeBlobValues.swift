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
        let hasFloats = blob.data.contains { !$0.isEmpty } || !unpacked.data.isEmpty
        let hasDoubles = blob.doubleData.contains { !$0.isEmpty } || !unpacked.doubleData.isEmpty
        if hasFloats || !hasDoubles {
            return try values(packed: blob.data, unpacked: unpacked.data, count: count, fail: fail)
        }
        return try values(packed: blob.doubleData, unpacked: unpacked.doubleData, count: count, fail: fail).map { Float($0) }
    }

    /// The `count` values held either in packed `records` (little-endian, concatenated in order) or `unpacked`.
    private static func values<Value: BinaryFloatingPoint>(
        packed records: [Data], unpacked: [Value], count: Int, fail: (String) -> ModelImportError
    ) throws -> [Value] {
        let size = MemoryLayout<Value>.size
        let isDouble = Value.self == Double.self
        let bytes = records.reduce(0) { $0 + $1.count }
        guard bytes == 0 || unpacked.isEmpty else {
            throw fail("holds \(isDouble ? "double" : "float") values both packed and unpacked; save the model again with Caffe")
        }
        guard bytes % size == 0 else {
            throw fail("holds \(bytes) bytes of packed \(isDouble ? "double " : "")values, not a whole number of \(size)-byte values")
        }
        let found = unpacked.isEmpty ? bytes / size : unpacked.count
        guard found == count else {
            throw fail("holds \(found) \(isDouble ? "double " : "")values, the shape needs \(count)")
        }
        if !unpacked.isEmpty { return unpacked }
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
