/// `[http]`: the HTTP API, the live page, the WebSocket feed and `/metrics` on one listener.
public struct HTTPConfiguration: Sendable, Equatable {
    /// Address to listen on (`address`, default `127.0.0.1:8080`: loopback only).
    public var host: String
    public var port: Int
    /// File whose first line is the bearer token every request but `/healthz` must carry (`token_file`); nil: no token.
    public var tokenFile: String?
    /// Bounds of the listener (`max_connections`, `request_timeout`, `max_request_bytes`, `descriptor_reserve`).
    public var limits: HTTPServerLimits
    /// Bounds of the WebSocket feed (`feed_max_clients`, `feed_max_queued_lines`, …); the daemon creates its
    /// `WebSocketFeed` with them.
    public var feed: FeedLimits

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080

    public init(
        host: String = HTTPConfiguration.defaultHost, port: Int = HTTPConfiguration.defaultPort, tokenFile: String? = nil,
        limits: HTTPServerLimits = HTTPServerLimits(), feed: FeedLimits = FeedLimits()
    ) {
        self.host = host
        self.port = port
        self.tokenFile = tokenFile
        self.limits = limits
        self.feed = feed
    }

    /// Throws a `WebAPIError` naming the first invalid `[http]` key.
    public func validate() throws(WebAPIError) {
        guard !host.isEmpty else { throw .invalidConfiguration(key: "http.address", expected: "host:port with a host", actual: "\"\"") }
        try Limit.require(port, in: 0...65535, key: "http.address")
        if let tokenFile, tokenFile.isEmpty {
            throw .invalidConfiguration(key: "http.token_file", expected: "a file path", actual: "an empty string")
        }
        try limits.validate()
        try feed.validate()
    }
}
