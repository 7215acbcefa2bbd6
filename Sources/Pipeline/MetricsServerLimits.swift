/// Bounds of the metrics endpoint, so that idle, slow or hostile HTTP clients cannot take the daemon's
/// descriptors or memory. Errors name the configuration file's keys (`metrics.*`).
public struct MetricsServerLimits: Sendable, Hashable {
    /// Most connections open at once; one more gets `503 Service Unavailable` and is closed. Default 16.
    public var maxConnections: Int
    /// Time from accepting a connection to the end of its request head (a slowloris sender or an idle connection
    /// gets `408 Request Timeout`); also the time the response then has to be written. Default 10 s.
    public var requestTimeout: Duration
    /// Most bytes a client may send (request line and headers); more gets `431` and a close. Default 8 KiB.
    public var maxRequestBytes: Int
    /// Descriptors below the process's soft limit (`RLIMIT_NOFILE`) that the endpoint never takes: while fewer are
    /// free, new connections get `503` and are closed. Default 64.
    public var descriptorReserve: Int

    /// Creates limits with the documented defaults.
    public init(maxConnections: Int = 16, requestTimeout: Duration = .seconds(10), maxRequestBytes: Int = 8192, descriptorReserve: Int = 64) {
        self.maxConnections = maxConnections
        self.requestTimeout = requestTimeout
        self.maxRequestBytes = maxRequestBytes
        self.descriptorReserve = descriptorReserve
    }

    /// Throws a `ConfigurationError` naming the first invalid key of `file`.
    public func validate(file: String) throws(ConfigurationError) {
        func fail(_ key: String, _ message: String) -> ConfigurationError {
            ConfigurationError(file: file, key: "metrics." + key, message: message)
        }
        guard (1...10_000).contains(maxConnections) else {
            throw fail("max_connections", "expected an integer from 1 to 10000, got \(maxConnections)")
        }
        guard requestTimeout > .zero, requestTimeout <= .seconds(3600) else {
            throw fail("request_timeout", "expected a duration above 0 and at most 3600 s, got \(requestTimeout)")
        }
        guard (256...1_048_576).contains(maxRequestBytes) else {
            throw fail("max_request_bytes", "expected an integer from 256 to 1048576, got \(maxRequestBytes)")
        }
        guard (0...1_000_000).contains(descriptorReserve) else {
            throw fail("descriptor_reserve", "expected an integer from 0 to 1000000, got \(descriptorReserve)")
        }
    }
}
