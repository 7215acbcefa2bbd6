/// Bounds of the WebSocket feed (`GET /api/v1/feed`). Each field is an `[http]` key of the configuration file;
/// `validate()` names it (`http.feed_max_clients`…).
public struct FeedLimits: Sendable, Hashable {
    /// `feed_max_clients`: most WebSocket clients at once; one more gets
    /// `{"kind":"notice","reason":"too many subscribers","v":1}` and a close frame. Default 16.
    public var maxClients: Int
    /// `feed_max_queued_lines`: lines a client may have waiting (not yet taken by the socket) before it is cut off
    /// with `{"kind":"notice","reason":"slow consumer, disconnected","v":1}`. Default 1024.
    public var maxQueuedLines: Int
    /// `feed_max_queued_bytes`: bytes a client may have waiting before it is cut off as a slow consumer.
    /// Default 4 MiB.
    public var maxQueuedBytes: Int
    /// `feed_subscription_timeout`: once a client has sent the first byte of its first message, how long it has to
    /// complete it; a client that sends nothing is not limited (it receives everything). Default 10 s.
    public var subscriptionTimeout: Duration
    /// `feed_close_grace_period`: how long a client that is cut off or shut down gets to take its final notice and
    /// close frame before the connection is closed anyway. Default 2 s.
    public var closeGracePeriod: Duration
    /// `feed_max_frame_size`: the largest frame accepted from a client (its subscription message); a larger one
    /// closes the connection with status 1009. Default 64 KiB.
    public var maxFrameSize: Int

    /// Creates limits with the documented defaults.
    public init(
        maxClients: Int = 16, maxQueuedLines: Int = 1024, maxQueuedBytes: Int = 4 << 20, subscriptionTimeout: Duration = .seconds(10),
        closeGracePeriod: Duration = .seconds(2), maxFrameSize: Int = 64 * 1024
    ) {
        self.maxClients = maxClients
        self.maxQueuedLines = maxQueuedLines
        self.maxQueuedBytes = maxQueuedBytes
        self.subscriptionTimeout = subscriptionTimeout
        self.closeGracePeriod = closeGracePeriod
        self.maxFrameSize = maxFrameSize
    }

    /// Throws a `WebAPIError` naming the first invalid key (`http.feed_…`).
    public func validate() throws(WebAPIError) {
        try Limit.require(maxClients, in: 1...10_000, key: "http.feed_max_clients")
        try Limit.require(maxQueuedLines, in: 1...1_000_000, key: "http.feed_max_queued_lines")
        try Limit.require(maxQueuedBytes, in: 1024...(1 << 30), key: "http.feed_max_queued_bytes")
        try Limit.require(subscriptionTimeout, in: .milliseconds(1)...(.seconds(3600)), key: "http.feed_subscription_timeout")
        try Limit.require(closeGracePeriod, in: .zero...(.seconds(3600)), key: "http.feed_close_grace_period")
        try Limit.require(maxFrameSize, in: 1024...(16 << 20), key: "http.feed_max_frame_size")
    }
}
