#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one partial-write loop: writes a buffer to a descriptor with as many `write(2)` calls as it takes.
///
/// Used by the file sink (``FileWriter``), ``DescriptorSink`` and the command line's console, so short writes and
/// `EINTR` are handled in one place.
public enum DescriptorWrite {
    /// The result of ``all(_:to:)``: bytes written, and the `errno` that stopped the loop (0 when all were written).
    public struct Outcome: Sendable, Equatable {
        public var written: Int
        public var errno: Int32
        /// Whether every byte was written.
        public var isComplete: Bool { errno == 0 }
    }

    /// Writes all of `buffer` to `descriptor`: retries `EINTR`, continues after a short write, and stops at the first
    /// error (a `write` that returns 0 for a non-empty buffer counts as `EIO`, so the loop always ends).
    ///
    /// - Important: blocks the calling thread while the descriptor blocks; call it from a dedicated thread.
    public static func all(_ buffer: UnsafeRawBufferPointer, to descriptor: CInt) -> Outcome {
        var offset = 0
        while offset < buffer.count {
            let n = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                let error = errno
                if error == EINTR { continue }
                return Outcome(written: offset, errno: error)
            }
            if n == 0 { return Outcome(written: offset, errno: EIO) }
            offset += n
        }
        return Outcome(written: offset, errno: 0)
    }

    /// Writes all of `bytes` to `descriptor` (see ``all(_:to:)``).
    public static func all(_ bytes: [UInt8], to descriptor: CInt) -> Outcome {
        bytes.withUnsafeBytes { all($0, to: descriptor) }
    }
}
