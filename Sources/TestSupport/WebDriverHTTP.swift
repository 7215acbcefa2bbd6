import Foundation

/// The HTTP/1.1 exchange under ``WebDriverSession``: one request on a fresh loopback connection, the whole response
/// read until the driver closes it (`Connection: close`), `Content-Length` and chunked bodies understood.
enum WebDriverHTTP {
    struct Response {
        let status: Int
        let body: Data
    }

    /// The largest response accepted (a full-page screenshot is a few MB of base64).
    static let maximumResponseBytes = 64 << 20

    static func exchange(port: Int, method: String, path: String, body: Data, timeout: Int) throws -> Response {
        let client = try RawSocketClient(port: port)
        defer { client.close() }
        var interval = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nAccept: application/json\r\n"
        if method != "GET" {
            head += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        if let error = client.send(Array(head.utf8) + Array(body)) {
            throw WebDriverError(error: "connection", message: "sending \(method) \(path) failed: errno \(error)")
        }
        let raw = try readAll(client.fd, timeout: timeout)
        return try parse(raw, request: "\(method) \(path)")
    }

    /// Reads until the response is complete: its `Content-Length` body, the last chunk of a chunked body, or the end
    /// of the connection (chromedriver says `Connection: close` but may keep the socket open after its answer).
    private static func readAll(_ fd: Int32, timeout: Int) throws -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if isComplete(received) { return received }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[..<count]
                guard received.count <= maximumResponseBytes else {
                    throw WebDriverError(error: "response too large", message: "more than \(maximumResponseBytes) bytes")
                }
            } else if count == 0 {
                return received
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                throw WebDriverError(error: "timeout", message: "no complete answer within \(timeout) s")
            } else {
                // A reset after a complete answer still counts.
                if !received.isEmpty { return received }
                throw WebDriverError(error: "connection", message: "reading failed: errno \(errno)")
            }
        }
    }

    /// Whether `raw` holds a whole response: the header and as much body as it announces.
    static func isComplete(_ raw: [UInt8]) -> Bool {
        guard let end = raw.firstRange(of: Array("\r\n\r\n".utf8)) else { return false }
        let header = String(decoding: raw[..<end.lowerBound], as: UTF8.self).lowercased()
        let lines = header.components(separatedBy: "\r\n").dropFirst()
        let bodyCount = raw.count - end.upperBound
        if lines.contains(where: { $0.hasPrefix("transfer-encoding:") && $0.contains("chunked") }) {
            return raw[end.upperBound...].firstRange(of: Array("0\r\n\r\n".utf8)) != nil
        }
        if let line = lines.first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        {
            return bodyCount >= length
        }
        return false
    }

    static func parse(_ raw: [UInt8], request: String) throws -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = raw.firstRange(of: separator) else {
            throw WebDriverError(error: "invalid response", message: "\(request): no HTTP header in \(raw.count) bytes")
        }
        let header = String(decoding: raw[..<end.lowerBound], as: UTF8.self)
        let lines = header.components(separatedBy: "\r\n")
        let statusFields = lines.first?.split(separator: " ") ?? []
        guard statusFields.count >= 2, let status = Int(statusFields[1]) else {
            throw WebDriverError(error: "invalid response", message: "\(request): bad status line '\(lines.first ?? "")'")
        }
        var body = Array(raw[end.upperBound...])
        let chunked = lines.dropFirst().contains { $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked") }
        if chunked {
            body = try dechunk(body, request: request)
        } else if let lengthLine = lines.dropFirst().first(where: { $0.lowercased().hasPrefix("content-length:") }),
            let length = Int(lengthLine.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)), length >= 0, length <= body.count
        {
            body = Array(body.prefix(length))
        }
        return Response(status: status, body: Data(body))
    }

    private static func dechunk(_ bytes: [UInt8], request: String) throws -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        let crlf: [UInt8] = [13, 10]
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstRange(of: crlf) else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw WebDriverError(error: "invalid response", message: "\(request): bad chunk size '\(sizeText)'")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard size <= bytes.count - start else {
                throw WebDriverError(error: "invalid response", message: "\(request): truncated chunk")
            }
            output += bytes[start..<(start + size)]
            index = start + size + 2
        }
        return output
    }
}
