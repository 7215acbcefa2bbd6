import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How full a connected socket's kernel send buffer is, so a subscriber's final notice can always be handed to the
/// kernel: lines are only written while the buffer keeps room for one more small write (Linux: `SIOCOUTQ` and
/// `SO_SNDBUF`). Elsewhere the probe reports nothing and callers fall back to one line in flight at a time.
///
/// For a Unix stream socket the kernel accepts a write while the memory charged for unread data is below
/// `SO_SNDBUF`; each write is charged more than its size (measured on Linux 6.x: 768 bytes for 60, 1280 for 500,
/// 2304 for 1000, 4352 for 3000, 8960 for 8000), which `worstCaseCharge(forWriteOf:)` bounds from above.
enum SendBufferProbe {
    /// The socket's send buffer size in the kernel's accounting, or `nil` where unknown. Call on the channel's loop.
    static func capacity(of channel: any Channel) -> Int? {
        #if os(Linux)
        let value = try? channel.pipeline.syncOperations.withUnsafeTransportIfAvailable(of: NIOBSDSocket.Handle.self) { fd -> Int? in
            var size: CInt = 0
            var length = socklen_t(MemoryLayout<CInt>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &length) == 0, size > 0 else { return nil }
            return Int(size)
        }
        return value ?? nil
        #else
        return nil
        #endif
    }

    /// Memory charged for data written to the socket and not yet read by the peer, or `nil` where unknown. Call on
    /// the channel's loop.
    static func queuedCharge(of channel: any Channel) -> Int? {
        #if os(Linux)
        let value = try? channel.pipeline.syncOperations.withUnsafeTransportIfAvailable(of: NIOBSDSocket.Handle.self) { fd -> Int? in
            var queued: CInt = 0
            // SIOCOUTQ (linux/sockios.h; the same number as TIOCOUTQ): for AF_UNIX, the send memory in use.
            guard ioctl(fd, UInt(0x5411), &queued) == 0, queued >= 0 else { return nil }
            return Int(queued)
        }
        return value ?? nil
        #else
        return nil
        #endif
    }

    /// An upper bound of what the kernel charges for one write of `bytes` bytes.
    static func worstCaseCharge(forWriteOf bytes: Int) -> Int {
        let (doubled, overflow) = bytes.multipliedReportingOverflow(by: 2)
        return overflow ? Int.max : doubled.addingReportingOverflow(1024).overflow ? Int.max : doubled + 1024
    }
}
