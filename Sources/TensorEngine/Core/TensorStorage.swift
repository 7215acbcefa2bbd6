#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owner of one 64-byte aligned float32 allocation with ``TensorEngineInfo/overReadSlack`` zeroed bytes after the end.
///
/// - Important: `@unchecked Sendable` is sound for the same reason as for `Array`'s buffer: ``Tensor`` mutates a storage
///   only after `isKnownUniquelyReferenced` proved it has the only reference, so a storage that is shared (and may be seen
///   from several threads) is never written. Kernels that write through `pointer` do so on storages they just allocated.
public final class TensorStorage: @unchecked Sendable {
    /// First element; aligned to ``TensorEngineInfo/alignment`` bytes.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of float32 elements (excluding the slack).
    public let count: Int

    /// Allocates `count` zeroed elements.
    public init(count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        let bytes = count * MemoryLayout<Float>.stride + TensorEngineInfo.overReadSlack
        var raw: UnsafeMutableRawPointer?
        let rc = posix_memalign(&raw, TensorEngineInfo.alignment, bytes)
        guard rc == 0, let raw else { fatalError("TensorStorage: posix_memalign of \(bytes) bytes failed (\(rc))") }
        memset(raw, 0, bytes)
        self.pointer = raw.bindMemory(to: Float.self, capacity: count + TensorEngineInfo.overReadSlack / 4)
        self.count = count
    }

    /// Allocates a copy of `values`.
    public convenience init(copying values: UnsafeBufferPointer<Float>) {
        self.init(count: values.count)
        if let base = values.baseAddress { pointer.update(from: base, count: values.count) }
    }

    /// A new storage with the same contents.
    public func copy() -> TensorStorage {
        TensorStorage(copying: UnsafeBufferPointer(start: pointer, count: count))
    }

    deinit { free(pointer) }
}
