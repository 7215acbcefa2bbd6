/// Headers on every answer of the server, whatever its status.
enum SecurityHeaders {
    /// No MIME sniffing, no Referer with our URLs (they may hold the token), no framing by other sites.
    static let all: [(String, String)] = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
    ]
}

/// Complete HTTP/1.1 answers as bytes, for rejections written below the HTTP codec (refusals, timeouts, oversized
/// requests) that must not depend on a request having been parsed. JSON bodies like every API error; always
/// `Connection: close`.
enum RawHTTPResponse {
    /// `503 Service Unavailable`: too many connections, or the descriptor reserve is reached.
    static let serviceUnavailable = make(
        status: "503 Service Unavailable", message: "too many connections; try again later", extra: [("Retry-After", "1")])
    /// `408 Request Timeout`: the request head did not arrive in time.
    static let requestTimeout = make(status: "408 Request Timeout", message: "request not received in time")
    /// `431 Request Header Fields Too Large`: the request head is longer than `http.max_request_bytes`.
    static let headTooLarge = make(status: "431 Request Header Fields Too Large", message: "request head too large")
    /// `413 Content Too Large`: the request (with its body) is longer than `http.max_request_bytes`.
    static let bodyTooLarge = make(status: "413 Content Too Large", message: "request too large")

    static func make(status: String, message: String, extra: [(String, String)] = []) -> [UInt8] {
        let body = APIResponse.encodeError(message)
        var head = "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nCache-Control: no-store\r\n"
        for (name, value) in SecurityHeaders.all + extra { head += "\(name): \(value)\r\n" }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }
}
