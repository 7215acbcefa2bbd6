import Foundation

/// A blocking HTTP/1.1 client for tests over one ``RawSocketClient`` connection: sends requests exactly as given and
/// parses answers (status, headers, a `Content-Length` body), so tests can reuse a keep-alive connection, send
/// hostile requests, and see the server's bytes as they are. Run it with ``RawSocketClient/offPool(_:)``.
public final class HTTPTestClient: @unchecked Sendable {
    /// One answer.
    public struct Response: Sendable {
        public let status: Int
        /// Header names lower-cased, in order.
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]

        /// The first value of the header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name == name.lowercased() }?.value
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// How an answer could not be read.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The connection (tests may send raw bytes on it).
    public let socket: RawSocketClient
    private var pending: [UInt8] = []

    /// Connects to 127.0.0.1:`port`.
    public init(port: Int) throws {
        socket = try RawSocketClient(port: port)
        self.port = port
    }

    /// The server's port (the `Host` header names it, as browsers do).
    public let port: Int

    /// Sends `method target` with `headers` (a `Host` is added) and reads the answer.
    public func request(_ method: String = "GET", _ target: String, headers: [(String, String)] = []) throws -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        if let error = socket.send(head) { throw Failure(description: "send failed: errno \(error)") }
        return try readResponse(bodyless: method == "HEAD")
    }

    /// Reads one answer; `bodyless` for the answer to HEAD (its Content-Length describes the GET body).
    public func readResponse(bodyless: Bool = false) throws -> Response {
        let headEnd = try readUntil([13, 10, 13, 10])
        let headText = String(decoding: pending[..<headEnd], as: UTF8.self)
        pending.removeFirst(headEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line in \(headText.prefix(200))")
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = headers.first { $0.name == "content-length" }.flatMap { Int($0.value) } ?? 0
        var body: [UInt8] = []
        if !bodyless, length > 0 {
            try fill(length)
            body = Array(pending[..<length])
            pending.removeFirst(length)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether the server closed the connection (end of file, or a reset) with nothing more to read.
    public func isClosedByServer() -> Bool {
        guard pending.isEmpty else { return false }
        var byte: UInt8 = 0
        let count = recv(socket.fd, &byte, 1, 0)
        return count == 0 || (count < 0 && errno == ECONNRESET)
    }

    public func close() { socket.close() }

    /// Bytes received after the last answer and not read yet (a WebSocket's first frames after the `101`), removed.
    public func takeBuffered() -> [UInt8] {
        defer { pending = [] }
        return pending
    }

    private func readUntil(_ marker: [UInt8]) throws -> Int {
        var searched = 0
        while true {
            if pending.count >= marker.count {
                for start in max(0, searched - marker.count)...(pending.count - marker.count)
                where Array(pending[start..<start + marker.count]) == marker {
                    return start
                }
                searched = pending.count
            }
            guard pending.count < 1 << 20 else { throw Failure(description: "answer head longer than 1 MiB") }
            try receive()
        }
    }

    private func fill(_ count: Int) throws {
        while pending.count < count { try receive() }
    }

    private func receive() throws {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            pending += buffer[..<count]
            return
        }
        if count < 0, errno == EINTR { return }
        throw Failure(description: count == 0 ? "connection closed by the server" : "recv failed: errno \(errno)")
    }
}
