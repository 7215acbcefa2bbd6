import Testing

@testable import WebAPI

/// Limits and configuration refuse values out of range with an error naming the `[http]` key.
@Suite struct LimitsTests {
    @Test(arguments: [
        (HTTPConfiguration(limits: HTTPServerLimits(maxConnections: 0)), "http.max_connections"),
        (HTTPConfiguration(limits: HTTPServerLimits(requestTimeout: .zero)), "http.request_timeout"),
        (HTTPConfiguration(limits: HTTPServerLimits(maxRequestBytes: 10)), "http.max_request_bytes"),
        (HTTPConfiguration(limits: HTTPServerLimits(descriptorReserve: -1)), "http.descriptor_reserve"),
        (HTTPConfiguration(feed: FeedLimits(maxClients: 0)), "http.feed_max_clients"),
        (HTTPConfiguration(feed: FeedLimits(maxQueuedLines: 0)), "http.feed_max_queued_lines"),
        (HTTPConfiguration(feed: FeedLimits(maxQueuedBytes: 1)), "http.feed_max_queued_bytes"),
        (HTTPConfiguration(feed: FeedLimits(subscriptionTimeout: .seconds(-1))), "http.feed_subscription_timeout"),
        (HTTPConfiguration(feed: FeedLimits(closeGracePeriod: .seconds(7200))), "http.feed_close_grace_period"),
        (HTTPConfiguration(feed: FeedLimits(maxFrameSize: 1 << 30)), "http.feed_max_frame_size"),
        (HTTPConfiguration(port: 70000), "http.address"),
        (HTTPConfiguration(host: ""), "http.address"),
        (HTTPConfiguration(tokenFile: ""), "http.token_file"),
    ])
    func invalidValuesNameTheirKey(configuration: HTTPConfiguration, key: String) {
        do {
            try configuration.validate()
            Issue.record("accepted an invalid \(key)")
        } catch {
            #expect(error.key == key)
            #expect(error.description.contains(key))
        }
    }

    @Test func defaultsAreValid() throws {
        try HTTPConfiguration().validate()
    }
}

/// Request targets are decoded strictly.
@Suite struct RequestTargetTests {
    @Test func decodesSegmentsAndQuery() throws {
        let target = try RequestTarget(parsing: "/api/v1/streams/cam%201/?stream=a+b&since=%31.5&flag")
        #expect(target.segments == ["api", "v1", "streams", "cam 1"])
        #expect(target.parameters.map(\.name) == ["stream", "since", "flag"])
        #expect(target.parameters.map(\.value) == ["a b", "1.5", ""])
        #expect(try RequestTarget(parsing: "/").segments == [])
        #expect(try RequestTarget(parsing: "/streams/%C3%A9").segments == ["streams", "é"])
    }

    @Test(arguments: ["api", "/%", "/%g0", "/%0", "/%FF", "/a?x=%E2%82", "/a?%C3=1", "/a%2Fb"])
    func refusesBrokenTargets(target: String) {
        #expect(throws: RequestTarget.Problem.self) { _ = try RequestTarget(parsing: target) }
    }

    @Test func tokenComparisonIsExact() throws {
        let token = try #require(AccessToken(Array("0123456789abcdef0123".utf8)))
        #expect(token.matches(Array("0123456789abcdef0123".utf8)))
        #expect(!token.matches(Array("0123456789abcdef012".utf8)))
        #expect(!token.matches(Array("0123456789abcdef01234".utf8)))
        #expect(!token.matches(Array("1123456789abcdef0123".utf8)))
        #expect(!token.matches([]))
        #expect(!"\(token)".contains("0123"))
    }
}
