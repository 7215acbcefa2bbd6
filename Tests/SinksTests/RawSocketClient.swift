import Foundation

/// A blocking POSIX client for tests that must control exactly when bytes are sent and read (stop reading, flood,
/// half-close). Every call has a 30 s socket timeout so a broken server fails the test instead of hanging it; run
/// the blocking calls with `RawSocketClient.offPool` so they never block Swift's cooperative threads.
final class RawSocketClient: @unchecked Sendable {
    /// How reading ended.
    enum End: Error, Equatable {
        case endOfFile
        case reset
        case timedOut
        case failed(Int32)
    }

    private(set) var fd: Int32

    /// Connects to the Unix socket at `path`.
    init(unixPath path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8.prefix($0.count - 1))) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO)
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    /// Closes the connection (once; the descriptor number may be reused by anyone afterwards).
    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    /// Runs blocking work on a Dispatch thread, off Swift's cooperative pool.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Sends all of `bytes`; returns the errno of a failed send, or nil.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Int32? {
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

    /// Sends `chunk` again and again until a send fails or `limit` bytes went out; returns the errno or nil.
    func sendRepeatedly(_ chunk: [UInt8], limit: Int) -> Int32? {
        var total = 0
        while total < limit {
            if let error = send(chunk) { return error }
            total += chunk.count
        }
        return nil
    }

    /// Stops sending (the server sees end of input); reading goes on.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    private var pending: [UInt8] = []

    /// The next line without its newline, or how reading ended (a partial last line is returned as a line).
    func readLine() -> Result<String, End> {
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
    func readToEnd() -> (lines: [String], end: End) {
        var lines: [String] = []
        while true {
            switch readLine() {
            case let .success(line): lines.append(line)
            case let .failure(end): return (lines, end)
            }
        }
    }
}
