import Foundation

/// A blocking POSIX stream-socket client for tests that must control exactly when bytes are sent and read (stop
/// reading, flood, half-close, a hand-written HTTP request): one type for Unix sockets and loopback TCP.
///
/// Every call has a 30 s socket timeout so a broken server fails the test instead of hanging it; run the blocking
/// calls with ``offPool(_:)`` so they never block Swift's cooperative threads.
///
/// `@unchecked Sendable`: a client is handed to one Dispatch thread at a time (through ``offPool(_:)``); its mutable
/// state (the descriptor and the read-ahead buffer) is only touched by that thread while it runs.
public final class RawSocketClient: @unchecked Sendable {
    /// How reading ended.
    public enum End: Error, Equatable, Sendable {
        case endOfFile
        case reset
        case timedOut
        case failed(Int32)
    }

    /// The connected descriptor, or -1 after ``close()``.
    public private(set) var fd: Int32
    private var pending: [UInt8] = []

    /// Connects to the Unix socket at `path`.
    public init(unixPath path: String) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8.prefix($0.count - 1))) }
        fd = try Self.connected(family: AF_UNIX, to: &address)
    }

    /// Connects to 127.0.0.1:`port` over TCP.
    public init(port: Int) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        fd = try Self.connected(family: AF_INET, to: &address)
    }

    /// A new stream socket of `family` connected to `address`, with 30 s send and receive timeouts.
    private static func connected<Address>(family: Int32, to address: inout Address) throws -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO)
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    deinit { close() }

    /// Closes the connection (once; the descriptor number may be reused by anyone afterwards).
    public func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    /// Runs blocking work on a Dispatch thread, off Swift's cooperative pool.
    public static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Sends all of `bytes`; returns the errno of a failed send, or nil.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += sent
        }
        return nil
    }

    /// Sends all of `text` as UTF-8; returns the errno of a failed send, or nil.
    @discardableResult
    public func send(_ text: String) -> Int32? { send(Array(text.utf8)) }

    /// Sends `chunk` again and again until a send fails or `limit` bytes went out; returns the errno or nil.
    public func sendRepeatedly(_ chunk: [UInt8], limit: Int) -> Int32? {
        var total = 0
        while total < limit {
            if let error = send(chunk) { return error }
            total += chunk.count
        }
        return nil
    }

    /// Stops sending (the server sees end of input); reading goes on.
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Ends the connection in both directions (the server sees end of file); the descriptor stays until ``close()``.
    public func shutdownBoth() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// The next line without its newline, or how reading ended (a partial last line is returned as a line).
    public func readLine() -> Result<String, End> {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                return .success(line)
            }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                pending += buffer[..<count]
                continue
            }
            let end: End
            if count == 0 {
                end = .endOfFile
            } else if errno == EINTR {
                continue
            } else {
                end = errno == ECONNRESET ? .reset : errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .failed(errno)
            }
            if !pending.isEmpty {
                defer { pending = [] }
                return .success(String(decoding: pending, as: UTF8.self))
            }
            return .failure(end)
        }
    }

    /// Every line until the connection ends, and how it ended.
    public func readToEnd() -> (lines: [String], end: End) {
        var lines: [String] = []
        while true {
            switch readLine() {
            case let .success(line): lines.append(line)
            case let .failure(end): return (lines, end)
            }
        }
    }

    /// Everything the server sends until it closes (a reset after some bytes still returns those bytes), and
    /// whether the end was a clean end of file.
    public func readAll() -> (text: String, cleanEnd: Bool) {
        var received = pending
        pending = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[..<count]
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return (String(decoding: received, as: UTF8.self), count == 0)
            }
        }
    }

    /// The status line of an HTTP response, e.g. `HTTP/1.1 200 OK`, or "" when the server sent nothing.
    public static func statusLine(_ response: String) -> String {
        response.split(separator: "\r\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }
}
