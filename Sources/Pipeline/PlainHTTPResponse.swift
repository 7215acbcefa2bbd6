import NIOCore

/// A complete HTTP/1.1 response as bytes, for answers written below the HTTP codec (refusals, timeouts, oversized
/// requests) that must not depend on a request having been parsed. Always `Connection: close`.
enum PlainHTTPResponse {
    /// `503 Service Unavailable`: too many connections, or the descriptor reserve is reached.
    static let serviceUnavailable = make(
        status: "503 Service Unavailable", body: "too many connections; try again later\n", extra: "Retry-After: 1\r\n")
    /// `408 Request Timeout`: the request head did not arrive in time.
    static let requestTimeout = make(status: "408 Request Timeout", body: "request not received in time\n")
    /// `431 Request Header Fields Too Large`: the request is longer than the limit.
    static let requestTooLarge = make(status: "431 Request Header Fields Too Large", body: "request too large\n")

    private static func make(status: String, body: String, extra: String = "") -> ByteBuffer {
        ByteBuffer(
            string: "HTTP/1.1 \(status)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\(extra)Connection: close\r\n\r\n\(body)"
        )
    }
}
