import Foundation
import NIOHTTP1

/// One answer of the API before it is written: status, the headers particular to it, and the body.
///
/// The security headers every answer carries are added by ``APIHandler`` when it writes the response.
struct APIResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: [(String, String)]
    var body: [UInt8]

    init(status: HTTPResponseStatus = .ok, contentType: String, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = [("Content-Type", contentType)] + headers
        self.body = body
    }

    /// `application/json` with `Cache-Control: no-store` (every API answer describes a moment).
    static func json(_ body: [UInt8], status: HTTPResponseStatus = .ok, headers: [(String, String)] = []) -> APIResponse {
        APIResponse(status: status, contentType: "application/json", headers: [("Cache-Control", "no-store")] + headers, body: body)
    }

    /// `{"error":"…"}` with `status`.
    static func error(_ status: HTTPResponseStatus, _ message: String, headers: [(String, String)] = []) -> APIResponse {
        json(encodeError(message), status: status, headers: headers)
    }

    /// `{"error":message}` as JSON bytes.
    static func encodeError(_ message: String) -> [UInt8] {
        let encoded = try? JSONEncoder().encode(["error": message])
        return encoded.map { [UInt8]($0) } ?? Array(#"{"error":"internal error"}"#.utf8)
    }
}
