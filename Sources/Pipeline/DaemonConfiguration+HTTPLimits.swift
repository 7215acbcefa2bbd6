import WebAPI

/// The `[http]` keys of the listener's and the WebSocket feed's limits (`WebAPI.HTTPServerLimits`,
/// `WebAPI.FeedLimits`): read here, range-checked by their own `validate()` (one home for each bound), errors naming
/// the key.
extension DaemonConfiguration {
    /// Seconds accepted before the limits' own check (keeps the conversion to `Duration` in range).
    private static let secondsReadable = 0.0...1_000_000

    static func readHTTPLimits(_ h: inout TableReader, into http: inout HTTPConfiguration) throws {
        let any = Int.min...Int.max
        var limits = http.limits
        limits.maxConnections = try h.int("max_connections", default: limits.maxConnections, range: any)
        limits.requestTimeout = try h.seconds("request_timeout", default: limits.requestTimeout, range: secondsReadable)
        limits.maxRequestBytes = try h.int("max_request_bytes", default: limits.maxRequestBytes, range: any)
        limits.descriptorReserve = try h.int("descriptor_reserve", default: limits.descriptorReserve, range: any)
        http.limits = limits
        var feed = http.feed
        feed.maxClients = try h.int("feed_max_clients", default: feed.maxClients, range: any)
        feed.maxQueuedLines = try h.int("feed_max_queued_lines", default: feed.maxQueuedLines, range: any)
        feed.maxQueuedBytes = try h.int("feed_max_queued_bytes", default: feed.maxQueuedBytes, range: any)
        feed.subscriptionTimeout = try h.seconds("feed_subscription_timeout", default: feed.subscriptionTimeout, range: secondsReadable)
        feed.closeGracePeriod = try h.seconds("feed_close_grace_period", default: feed.closeGracePeriod, range: secondsReadable)
        feed.maxFrameSize = try h.int("feed_max_frame_size", default: feed.maxFrameSize, range: any)
        http.feed = feed
        do {
            try http.validate()
        } catch let error as WebAPIError {
            guard let invalid = error.invalidConfiguration else { throw h.error("address", "\(error)") }
            throw ConfigurationError(file: h.file, key: invalid.key, message: "must be \(invalid.expected), got \(invalid.actual)")
        }
    }
}
