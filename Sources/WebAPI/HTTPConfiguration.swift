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
    /// Track and event records the in-memory ring behind `GET /api/v1/events` keeps (`events`, default 1000,
    /// 1 … ``maximumEvents``); the oldest is forgotten when it is full.
    public var events: Int
    /// How often each stream's in-memory latest picture (`GET /api/v1/streams/{name}/latest.jpg`) is refreshed, per
    /// second (`latest_fps`, default 1, 0.01 … 30), when `[output.snapshots]` does not already keep `latest.jpg` (then
    /// its `latest_fps` applies and the API serves the same bytes).
    public var latestFramesPerSecond: Double

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080
    /// `events` when the configuration names none.
    public static let defaultEvents = 1000
    /// The largest `events` accepted.
    public static let maximumEvents = 100_000
    /// `latest_fps` when the configuration names none.
    public static let defaultLatestFramesPerSecond = 1.0

    public init(
        host: String = HTTPConfiguration.defaultHost, port: Int = HTTPConfiguration.defaultPort, tokenFile: String? = nil,
        limits: HTTPServerLimits = HTTPServerLimits(), feed: FeedLimits = FeedLimits(), events: Int = HTTPConfiguration.defaultEvents,
        latestFramesPerSecond: Double = HTTPConfiguration.defaultLatestFramesPerSecond
    ) {
        self.host = host
        self.port = port
        self.tokenFile = tokenFile
        self.limits = limits
        self.feed = feed
        self.events = events
        self.latestFramesPerSecond = latestFramesPerSecond
    }

    /// Throws a `WebAPIError` naming the first invalid `[http]` key.
    public func validate() throws(WebAPIError) {
        guard !host.isEmpty else { throw .invalidConfiguration(key: "http.address", expected: "host:port with a host", actual: "\"\"") }
        try Limit.require(port, in: 0...65535, key: "http.address")
        if let tokenFile, tokenFile.isEmpty {
            throw .invalidConfiguration(key: "http.token_file", expected: "a file path", actual: "an empty string")
        }
        try Limit.require(events, in: 1...Self.maximumEvents, key: "http.events")
        guard latestFramesPerSecond.isFinite, (0.01...30).contains(latestFramesPerSecond) else {
            throw .invalidConfiguration(key: "http.latest_fps", expected: "a number from 0.01 to 30", actual: "\(latestFramesPerSecond)")
        }
        try limits.validate()
        try feed.validate()
    }
}
