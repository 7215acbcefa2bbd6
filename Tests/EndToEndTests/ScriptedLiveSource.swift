import Foundation

/// A live MPEG-TS source over TCP whose every step the test decides, for the stall and back-off tests.
///
/// The port is reserved at once (bound, not listening: connections are refused) so it can go into the configuration.
/// ``listen()`` accepts exactly one connection and closes the listener at once (later connections are refused again),
/// sends the clip in two parts — everything before the last video PES, then the last PES — and then stays silent,
/// holding the connection open until ``close()``. The demuxer can only return the frame before the last PES once the
/// second part has arrived, so the read call that finally stalls starts after ``lastSendTime``: a `lost` record
/// cannot honestly come earlier than `lastSendTime + stall_timeout`.
///
/// `@unchecked Sendable`: the descriptors and times are guarded by `lock`; the server thread and the test share them.
final class ScriptedLiveSource: @unchecked Sendable {
    /// The loopback TCP port (refusing until ``listen()``).
    let port: Int
    private let listener: Int32
    private let first: Data
    private let last: Data
    private let lock = NSLock()
    private var connection: Int32 = -1
    private var sentAt: Double?
    private let done = DispatchSemaphore(value: 0)

    /// Reserves a port for `clip` (MPEG-TS bytes).
    init(clip: Data) throws {
        let split = try Self.lastVideoPESOffset(clip)
        first = clip.prefix(split)
        last = clip.suffix(from: split)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0 else {
            if fd >= 0 { Glibc.close(fd) }
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close() }

    /// Starts listening; one connection is served on a thread of its own.
    func listen() throws {
        guard Glibc.listen(listener, 1) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        Thread { [self] in
            let accepted = accept(listener, nil, nil)
            Glibc.close(listener)  // every later connection is refused
            guard accepted >= 0 else {
                done.signal()
                return
            }
            lock.withLock { connection = accepted }
            var ok = Self.sendAll(accepted, first)
            ok = ok && Self.sendAll(accepted, last)
            lock.withLock { sentAt = ok ? Date().timeIntervalSince1970 : nil }
            done.signal()
        }.start()
    }

    /// Waits up to `seconds` for the whole clip to be sent; returns the wall-clock time (seconds since 1970) the
    /// last byte went out, or nil.
    func waitUntilSent(seconds: Double) -> Double? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        done.signal()  // later calls return at once
        return lock.withLock { sentAt }
    }

    /// Closes the held connection (the reader sees end of file).
    func close() {
        lock.withLock {
            if connection >= 0 { Glibc.close(connection) }
            connection = -1
        }
    }

    private static func sendAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += sent
            }
            return true
        }
    }

    /// The byte offset of the last 188-byte transport packet that starts a PES packet (payload_unit_start_indicator
    /// set, payload beginning 00 00 01) on a PID other than PAT/PMT/SDT — the last video frame of the clip.
    static func lastVideoPESOffset(_ ts: Data) throws -> Int {
        let bytes = [UInt8](ts)
        guard bytes.count >= 2 * 188, bytes.count % 188 == 0, bytes[0] == 0x47 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "not an MPEG-TS file of whole 188-byte packets"])
        }
        var found: Int?
        for start in stride(from: 0, to: bytes.count, by: 188) {
            guard bytes[start] == 0x47, bytes[start + 1] & 0x40 != 0 else { continue }
            let control = (bytes[start + 3] >> 4) & 3
            guard control & 1 != 0 else { continue }  // no payload
            let payload = start + 4 + (control & 2 != 0 ? 1 + Int(bytes[start + 4]) : 0)
            if payload + 3 <= start + 188, bytes[payload] == 0, bytes[payload + 1] == 0, bytes[payload + 2] == 1 { found = start }
        }
        guard let found, found > 0 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no PES packet after the first transport packet"])
        }
        return found
    }
}
