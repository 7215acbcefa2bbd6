import Foundation
import Logging
import Sinks
import TestSupport
import Testing

/// A subscriber that stops reading gets the slow-consumer notice as its last line, however late it resumes.
@Suite struct SlowConsumerNoticeTests {
    static let logger = Logger(label: "SinksTests.slow")

    @Test func clientThatStopsReadingReadsTheNoticeLastAfterTheServerClosed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        // A grace period of an hour: the connection can only close soon if the notice was taken by the kernel.
        let configuration = PublisherConfiguration(path: path, maxQueuedLines: 32, closeGracePeriod: .seconds(3600))
        let publisher = try await UnixSocketPublisher.bind(configuration: configuration, logger: Self.logger)
        let slow = try await SubscriberLimitsTests.subscribed(path)
        let fast = try await SubscriberLimitsTests.subscribed(path)

        // The slow client reads nothing while lines are published until the publisher gives up on it; the fast
        // one reads every line.
        var published = 0
        var fastIndices: [Int] = []
        while publisher.slowConsumerDisconnects == 0 {
            try #require(published < 20_000, "the slow subscriber was never disconnected")
            for _ in 0..<8 {
                publisher.publish(try UnixSocketPublisherTests.frame("cam1", published, "person", 0.9, pad: 2000))
                published += 1
            }
            for _ in 0..<8 {
                let line = try await RawSocketClient.offPool { fast.readLine() }
                fastIndices.append(try #require((try? line.get()).flatMap(UnixSocketPublisherTests.index)))
            }
        }
        #expect(fastIndices == Array(0..<published))
        try await SubscriberLimitsTests.eventually("the slow subscriber's connection is closed") { publisher.connectionCount == 1 }

        // Only now does the slow client read: a prefix of the lines, whole and in order, then the notice, then EOF.
        let (lines, end) = try await RawSocketClient.offPool { slow.readToEnd() }
        #expect(end == .endOfFile)
        #expect(lines.last == TestSubscriber.slowNotice)
        let indices = lines.dropLast().compactMap(UnixSocketPublisherTests.index)
        #expect(indices.count == lines.count - 1)
        #expect(indices == Array(0..<indices.count))
        #expect(indices.count > 0 && indices.count < published)
        #expect(publisher.slowConsumerDisconnects == 1)
        await publisher.close()
        withExtendedLifetime(fast) {}
    }
}
