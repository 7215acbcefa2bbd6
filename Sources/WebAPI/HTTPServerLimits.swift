/// Bounds of the HTTP listener, so that idle, slow or hostile clients cannot take the daemon's descriptors or
/// memory. Each field is an `[http]` key of the configuration file; `validate()` names it (`http.max_connections`…).
public struct HTTPServerLimits: Sendable, Hashable {
    /// `max_connections`: most connections open at once (WebSocket clients included); one more gets
    /// `503 Service Unavailable` and is closed. Default 64.
    public var maxConnections: Int
    /// `request_timeout`: time from accepting a connection (or from the end of the previous response on a
    /// keep-alive connection) to the end of the request head; a slow sender gets `408 Request Timeout`, an idle
    /// keep-alive connection is closed. Also the time a response then has to be written. Default 10 s.
    public var requestTimeout: Duration
    /// `max_request_bytes`: most bytes one request may have (request line, headers and any body); a longer head
    /// gets `431`, a longer body `413`, then a close. Default 16 KiB.
    public var maxRequestBytes: Int
    /// `descriptor_reserve`: descriptors below the process's soft limit (`RLIMIT_NOFILE`) that the listener never
    /// takes: while fewer are free, new connections get `503` and are closed. Default 64.
    public var descriptorReserve: Int

    /// Creates limits with the documented defaults.
    public init(maxConnections: Int = 64, requestTimeout: Duration = .seconds(10), maxRequestBytes: Int = 16384, descriptorReserve: Int = 64) {
        self.maxConnections = maxConnections
        self.requestTimeout = requestTimeout
        self.maxRequestBytes = maxRequestBytes
        self.descriptorReserve = descriptorReserve
    }

    /// Throws a `WebAPIError` naming the first invalid key (`http.…`).
    public func validate() throws(WebAPIError) {
        try Limit.require(maxConnections, in: 1...10_000, key: "http.max_connections")
        try Limit.require(requestTimeout, in: .milliseconds(1)...(.seconds(3600)), key: "http.request_timeout")
        try Limit.require(maxRequestBytes, in: 1024...1_048_576, key: "http.max_request_bytes")
        try Limit.require(descriptorReserve, in: 0...1_000_000, key: "http.descriptor_reserve")
    }
}

/// Range checks that name the key (shared by the limit types of this module).
enum Limit {
    static func require(_ value: Int, in range: ClosedRange<Int>, key: String) throws(WebAPIError) {
        guard range.contains(value) else {
            throw .invalidConfiguration(key: key, expected: "an integer from \(range.lowerBound) to \(range.upperBound)", actual: "\(value)")
        }
    }

    static func require(_ value: Duration, in range: ClosedRange<Duration>, key: String) throws(WebAPIError) {
        guard range.contains(value) else {
            throw .invalidConfiguration(key: key, expected: "a duration from \(range.lowerBound) to \(range.upperBound)", actual: "\(value)")
        }
    }
}
