import Foundation
import WebAPI

/// Reading and checking `[http]` (see `WebAPI.HTTPConfiguration`).
extension DaemonConfiguration {
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

    /// Throws unless `[http] token_file` holds a token the server accepts (`WebAPI.HTTPConfiguration.checkTokenFile()`:
    /// a regular, readable file whose first line is the token) (`ssdd config check` and start-up). The token itself is
    /// never part of a message.
    func checkHTTPEnvironment(file: String) throws(ConfigurationError) {
        guard let http else { return }
        do {
            try http.checkTokenFile()
        } catch {
            let prefix = "http.token_file "
            let text = "\(error)"
            let message = text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
            throw ConfigurationError(file: file, key: "http.token_file", message: message)
        }
    }
}
