import Foundation
import Logging
import Sinks
import TestSupport
import Testing

/// Connection caps and the descriptor reserve of the socket publisher, with real clients.
@Suite struct SubscriberLimitsTests {
    static let logger = Logger(label: "SinksTests.limits")
    static let tooManySubscribers = #"{"kind":"notice","reason":"too many subscribers","v":1}"#
    static let tooManyOpenFiles = #"{"kind":"notice","reason":"too many open files","v":1}"#

    /// Polls `condition` (the publisher's loops work in the background); fails the test after `attempts`.
    static func eventually(_ what: String, attempts: Int = 3000, _ condition: () -> Bool) async throws {
        for _ in 0..<attempts {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("never happened: \(what)")
        throw CancellationError()
    }

    static func subscribed(_ path: String, _ subscription: String = "{}") async throws -> RawSocketClient {
        try await RawSocketClient.offPool {
            let client = try RawSocketClient(unixPath: path)
            client.send(Array((subscription + "\n").utf8))
            let reply = client.readLine()
            guard case .success(TestSubscriber.subscribedNotice) = reply else { throw POSIXError(.EPROTO) }
            return client
        }
    }

    @Test func subscribersBeyondTheCapGetANoticeAndTheOthersKeepReceiving() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let publisher = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path, maxSubscribers: 2), logger: Self.logger)
        let first = try await Self.subscribed(path)
        let second = try await Self.subscribed(path)

        let refused = try await RawSocketClient.offPool { try RawSocketClient(unixPath: path).readToEnd() }
        #expect(refused.lines == [Self.tooManySubscribers])
        #expect(refused.end == .endOfFile)
        #expect(publisher.refusedConnections == 1)
        #expect(publisher.connectionCount == 2)

        publisher.publish(try UnixSocketPublisherTests.frame("cam1", 5, "person", 0.9))
        for client in [first, second] {
            let line = try await RawSocketClient.offPool { client.readLine() }
            #expect((try? line.get()).flatMap(UnixSocketPublisherTests.index) == 5)
        }

        // A slot frees when a subscriber leaves.
        first.close()
        try await Self.eventually("the first subscriber's slot is released") { publisher.connectionCount == 1 }
        let third = try await Self.subscribed(path)
        publisher.publish(try UnixSocketPublisherTests.frame("cam1", 6, "person", 0.9))
        let line = try await RawSocketClient.offPool { third.readLine() }
        #expect((try? line.get()).flatMap(UnixSocketPublisherTests.index) == 6)
        await publisher.close()
        withExtendedLifetime(second) {}
    }

    @Test func clientsAreRefusedWhileTheDescriptorReserveIsReached() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let limit = try #require(OpenDescriptors.softLimit())
        let publisher = try await UnixSocketPublisher.bind(
            configuration: PublisherConfiguration(path: path, descriptorReserve: limit), logger: Self.logger)
        let refused = try await RawSocketClient.offPool {
            let client = try RawSocketClient(unixPath: path)
            client.send(Array("{}\n".utf8))
            return client.readToEnd()
        }
        #expect(refused.lines == [Self.tooManyOpenFiles])
        #expect(publisher.refusedConnections == 1)
        try await Self.eventually("the refused connection is closed") { publisher.connectionCount == 0 }
        await publisher.close()
    }

    @Test func invalidLimitsNameTheirKey() {
        let cases: [(PublisherConfiguration, String)] = [
            (
                PublisherConfiguration(path: "/tmp/x.sock", maxSubscribers: 0),
                "invalid sink configuration: output.socket.max_subscribers must be an integer from 1 to 100000, got 0"
            ),
            (
                PublisherConfiguration(path: "/tmp/x.sock", descriptorReserve: -1),
                "invalid sink configuration: output.socket.descriptor_reserve must be an integer from 0 to 1000000, got -1"
            ),
            (
                PublisherConfiguration(path: "/tmp/x.sock", subscriptionTimeout: .zero),
                "invalid sink configuration: output.socket.subscription_timeout must be a duration above 0 and at most 3600 s, got 0.0 seconds"
            ),
            (
                PublisherConfiguration(path: "/tmp/x.sock", maxQueuedLines: Int.max),
                "invalid sink configuration: output.socket.max_queued_lines must be an integer from 1 to 1000000, got \(Int.max)"
            ),
        ]
        for (configuration, message) in cases {
            #expect { try configuration.validate() } throws: { ($0 as? SinksError)?.description == message }
        }
    }

    @Test func openDescriptorsAreCounted() throws {
        let before = try #require(OpenDescriptors.count())
        let opened = (0..<200).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { for fd in opened { close(fd) } }
        try #require(opened.allSatisfy { $0 >= 0 })
        let after = try #require(OpenDescriptors.count())
        // Other tests open and close descriptors concurrently; 200 more must still show.
        #expect((before + 150...before + 250).contains(after), "before \(before), after \(after)")
    }

    @Test func softLimitIsRaisedToTheHardLimit() throws {
        let result = try OpenDescriptors.raiseSoftLimitToHardLimit()
        #expect(result.current == OpenDescriptors.hardLimit())
        #expect(OpenDescriptors.softLimit() == OpenDescriptors.hardLimit())
    }
}
