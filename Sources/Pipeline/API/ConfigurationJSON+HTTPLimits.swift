import WebAPI

extension ConfigurationJSON {
    /// The `[http]` listener and feed limits by their TOML key names.
    static func httpLimits(_ h: HTTPConfiguration) -> [String: Any] {
        let limits = h.limits
        let feed = h.feed
        return [
            "max_connections": limits.maxConnections, "request_timeout": seconds(limits.requestTimeout),
            "max_request_bytes": limits.maxRequestBytes, "descriptor_reserve": limits.descriptorReserve,
            "feed_max_clients": feed.maxClients, "feed_max_queued_lines": feed.maxQueuedLines,
            "feed_max_queued_bytes": feed.maxQueuedBytes, "feed_subscription_timeout": seconds(feed.subscriptionTimeout),
            "feed_close_grace_period": seconds(feed.closeGracePeriod), "feed_max_frame_size": feed.maxFrameSize,
        ]
    }
}
