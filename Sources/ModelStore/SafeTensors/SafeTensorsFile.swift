import Foundation
import NeuralNet

/// A safetensors file, memory-mapped read-only and validated on open.
///
/// Tensor data is never copied on open: ``withFloat32(named:_:)`` lends float32 tensors straight from the mapping.
/// Other float types (F64, F16, BF16) can be converted on request with ``floatValues(named:)``.
/// Opening never crashes on truncated or garbage files; every inconsistency is a ``ModelStoreError`` naming the file
/// and tensor.
public final class SafeTensorsFile: Sendable {
    /// Path the file was opened from.
    public let path: String
    /// Size of the file in bytes.
    public let fileSize: Int
    /// The header's `__metadata__` map (empty when absent).
    public let metadata: [String: String]
    /// Tensors in data order.
    public let tensors: [SafeTensorsTensorInfo]

    private let mapping: MappedFile
    private let dataStart: Int
    private let index: [String: Int]

    /// Maps and validates the file at `url`.
    public init(contentsOf url: URL) throws {
        mapping = try MappedFile(path: url.path)
        path = url.path
        fileSize = mapping.bytes.count
        let header = try SafeTensorsHeader(bytes: mapping.bytes, file: url.path)
        metadata = header.metadata
        tensors = header.tensors
        dataStart = header.dataStart
        index = Dictionary(uniqueKeysWithValues: header.tensors.enumerated().map { ($1.name, $0) })
    }

    /// The header entry of the named tensor, or nil.
    public func info(named name: String) -> SafeTensorsTensorInfo? {
        index[name].map { tensors[$0] }
    }

    /// Lends the raw bytes of the named tensor.
    ///
    /// - Important: The buffer points into the mapping and is valid only inside `body`.
    public func withRawBytes<R>(
        named name: String, _ body: (SafeTensorsTensorInfo, UnsafeRawBufferPointer) throws -> R
    )
        throws -> R
    {
        guard let info = info(named: name) else { throw ModelStoreError.missingTensor(file: path, tensor: name) }
        let start = dataStart + info.byteRange.lowerBound
        let slice = UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<(start + info.byteRange.count)])
        return try body(info, slice)
    }

    /// Lends the named float32 tensor without copying it.
    ///
    /// Throws ``ModelStoreError/unsupportedDType(file:tensor:dtype:supported:)`` for other dtypes.
    /// - Important: The buffer points into the mapping and is valid only inside `body`; copy what you keep.
    public func withFloat32<R>(named name: String, _ body: (ParameterView) throws -> R) throws -> R {
        try withRawBytes(named: name) { info, raw in
            guard info.dtype == .float32 else {
                throw ModelStoreError.unsupportedDType(
                    file: path, tensor: name, dtype: info.dtype.rawValue, supported: SafeTensorsDType.float32.rawValue)
            }
            let count = info.elementCount
            guard let base = raw.baseAddress, count > 0 else {
                return try body(ParameterView(shape: info.shape, values: UnsafeBufferPointer(start: nil, count: 0)))
            }
            if Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
                // The mapping is read-only and only ever viewed as bytes or as Float, so binding is sound.
                let floats = base.assumingMemoryBound(to: Float.self)
                return try body(ParameterView(shape: info.shape, values: UnsafeBufferPointer(start: floats, count: count)))
            }
            // Files from other writers may leave float data unaligned; a temporary aligned copy keeps loads defined.
            let copy = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
                initialized = count
            }
            return try copy.withUnsafeBufferPointer { try body(ParameterView(shape: info.shape, values: $0)) }
        }
    }

    /// Copies the named tensor into a float32 array, converting F64, F16 and BF16 (round to nearest).
    ///
    /// Throws ``ModelStoreError/unsupportedDType(file:tensor:dtype:supported:)`` for integer and 8-bit float types.
    public func floatValues(named name: String) throws -> [Float] {
        try withRawBytes(named: name) { info, raw in
            guard info.dtype.convertsToFloat32 else {
                throw ModelStoreError.unsupportedDType(
                    file: path, tensor: name, dtype: info.dtype.rawValue, supported: "F32, F64, F16 or BF16")
            }
            return FloatConversion.floats(from: raw, dtype: info.dtype, count: info.elementCount)
        }
    }
}

extension SafeTensorsFile: ParameterSource {
    /// Names of all tensors, sorted.
    public var parameterNames: [String] { tensors.map(\.name).sorted() }

    /// Lends a float32 tensor from the mapping; unknown names throw `NetworkError.missingParameter`.
    public func withParameter<R>(named name: String, _ body: (ParameterView) throws -> R) throws -> R {
        guard index[name] != nil else { throw NetworkError.missingParameter(name) }
        return try withFloat32(named: name, body)
    }

    /// Drops the resident pages that hold only the named tensor's bytes (``ParameterSource/releaseParameter(named:)``);
    /// they come back from the file if it is lent again. No-op for an unknown name.
    public func releaseParameter(named name: String) {
        guard let info = info(named: name) else { return }
        let start = dataStart + info.byteRange.lowerBound
        mapping.dropResidentPages(in: start..<(start + info.byteRange.count))
    }
}
