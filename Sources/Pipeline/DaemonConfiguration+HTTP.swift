import Foundation
import WebAPI

/// Reading and checking `[http]` (see `WebAPI.HTTPConfiguration`).
extension DaemonConfiguration {
    /// The longest token file first line read (a bearer token is short; a larger file is a mistake).
    static let maxTokenFileBytes = 4096

    /// The `[http]` table of `root`, or nil when absent (or `enabled = false`). Errors name the key; an address equal
    /// to `[metrics] address` (a port other than 0) is refused.
    static func readHTTP(_ root: inout TableReader, metrics: MetricsConfiguration?) throws -> HTTPConfiguration? {
        guard var h = try root.table("http") else { return nil }
        let enabled = try h.bool("enabled") ?? true
        var http = HTTPConfiguration()
        if let text = try h.string("address") {
            switch ListenAddress.parse(text) {
            case .success(let address):
                http.host = address.host
                http.port = address.port
                if let metrics, metrics.port == address.port, metrics.host == address.host, address.port != 0 {
                    throw h.error("address", "'\(text)' is also [metrics] address; give the HTTP API a port of its own (it serves /metrics too)")
                }
            case .failure(let failure):
                throw h.error("address", failure.message)
            }
        }
        if let tokenFile = try h.string("token_file") {
            guard !tokenFile.isEmpty else { throw h.error("token_file", "must not be empty (leave it out to serve without a token)") }
            http.tokenFile = tokenFile
        }
        http.events = try h.int("events", default: http.events, range: 1...HTTPConfiguration.maximumEvents)
        http.latestFramesPerSecond = try h.double("latest_fps", default: http.latestFramesPerSecond, range: 0.01...30)
        try readHTTPLimits(&h, into: &http)
        try h.rejectUnknownKeys()
        return enabled ? http : nil
    }

    /// Throws unless `[http] token_file` is a readable regular file whose first line holds a token (`ssdd config
    /// check` and start-up). The token itself is never part of a message.
    func checkHTTPEnvironment(file: String) throws(ConfigurationError) {
        guard let path = http?.tokenFile else { return }
        if let problem = Self.problem(tokenFile: path) {
            throw ConfigurationError(file: file, key: "http.token_file", message: problem)
        }
    }

    /// Why `path` holds no usable bearer token, or nil: it must be a readable regular file of at most
    /// ``maxTokenFileBytes`` bytes whose first line, without surrounding blanks, is not empty.
    static func problem(tokenFile path: String) -> String? {
        if let problem = problem(readableFile: path) { return problem }
        guard let handle = FileHandle(forReadingAtPath: path) else { return "\(path) is not readable" }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maxTokenFileBytes + 1) else { return "\(path) cannot be read" }
        guard data.count <= maxTokenFileBytes else { return "\(path) is larger than \(maxTokenFileBytes) bytes; it should hold one line, the token" }
        guard BearerToken.firstLine(of: Array(data)) != nil else {
            return "\(path): the first line is empty; write the token on it (e.g. `openssl rand -hex 32 > \(path)`)"
        }
        return nil
    }
}

/// The bearer token as the token file holds it.
enum BearerToken {
    /// The first line of `bytes` without surrounding spaces, tabs or `\r`, or nil when that is empty or not UTF-8.
    static func firstLine(of bytes: [UInt8]) -> String? {
        let line = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        guard let text = String(validating: line, as: UTF8.self) else { return nil }
        let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r"))
        return trimmed.isEmpty ? nil : trimmed
    }
}
