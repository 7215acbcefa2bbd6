import Foundation
import Geometry
import Logging
import NIOCore
import Sinks
import Testing

/// The socket publisher with real Unix sockets and real NIO clients.
@Suite struct UnixSocketPublisherTests {
    static let logger = Logger(label: "SinksTests.socket")
    static let encoder = JSONLineEncoder()

    static func frame(_ stream: String, _ index: Int, _ label: String, _ score: Double, pad: Int = 0) throws -> JSONLine {
        try encoder.encode(
            .frame(
                FrameRecord(
                    stream: stream, frameIndex: index, pts: nil, time: Double(pad), width: 640,
                    height: String(repeating: "x", count: pad).count + 480,
                    detections: [DetectionRecord(trackID: nil, label: label, classIndex: 0, score: score, box: Box(x1: 0, y1: 0, x2: 1, y2: 1))])))
    }

    static func index(_ line: String) -> Int? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["frame"] as? Int
    }

    @Test func subscriptionsFilterByStreamLabelScoreAndKind() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let publisher = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path), logger: Self.logger)
        let records: [JSONLine] = [
            try Self.frame("cam1", 0, "person", 0.9),
            try Self.frame("cam2", 1, "person", 0.4),
            try Self.frame("cam2", 2, "dog", 0.8),
            try Self.encoder.encode(.stream(StreamRecord(stream: "cam2", state: .lost, time: 3))),
        ]
        let subscriptions = [
            #"{"streams":["cam1"]}"#, #"{"labels":["person"],"minScore":0.5}"#, #"{"kinds":["stream"]}"#, "{}",
        ]
        let received = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            let ready = AsyncStream<Void>.makeStream()
            for (index, subscription) in subscriptions.enumerated() {
                group.addTask {
                    try await TestSubscriber.with(path: path) { reader, writer in
                        try await TestSubscriber.subscribe(subscription, reader: &reader, writer: writer)
                        ready.continuation.yield()
                        return (index, try await reader.rest())
                    }
                }
            }
            var iterator = ready.stream.makeAsyncIterator()
            for _ in subscriptions { await iterator.next() }
            #expect(publisher.subscriberCount == 4)
            for record in records { publisher.publish(record) }
            await publisher.close()
            var result = [[String]](repeating: [], count: subscriptions.count)
            for try await (index, lines) in group { result[index] = lines }
            return result
        }
        let text = records.map { String(decoding: $0.bytes.dropLast(), as: UTF8.self) }
        let shutdown = TestSubscriber.shutdownNotice
        #expect(received[0] == [text[0], shutdown])
        // Label and score filters do not apply to stream records.
        #expect(received[1] == [text[0], text[3], shutdown])
        #expect(received[2] == [text[3], shutdown])
        #expect(received[3] == text + [shutdown])
        #expect(!FileManager.default.fileExists(atPath: path), "close() removes the socket file")
    }

    @Test(
        arguments: [
            (
                #"{"stream":["cam1"]}"#,
                #"{"kind":"error","reason":"malformed subscription: stream: unknown field \"stream\"; expected streams, labels, minScore or kinds","v":1}"#
            ),
            (#"{"kinds":["frames"]}"#, nil),
            ("not json", nil),
            (#"{"minScore":"high"}"#, nil),
        ] as [(String, String?)])
    func malformedSubscriptionGetsAnErrorLineAndIsClosed(subscription: String, expected: String?) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let publisher = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path), logger: Self.logger)
        let lines = try await TestSubscriber.with(path: path) { reader, writer in
            try await writer.write(ByteBuffer(string: subscription + "\n"))
            return try await reader.rest()
        }
        await publisher.close()
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix(#"{"kind":"error","reason":"malformed subscription: "#) == true, "\(lines)")
        if let expected { #expect(lines.first == expected) }
    }

    @Test func slowClientIsDisconnectedWithANoticeWhileAFastClientGetsEverything() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let configuration = PublisherConfiguration(path: path, maxQueuedLines: 64, closeGracePeriod: .seconds(60))
        let publisher = try await UnixSocketPublisher.bind(configuration: configuration, logger: Self.logger)
        let total = 2000, batch = 32
        let lines = try (0..<total).map { try Self.frame("cam1", $0, "person", 0.9, pad: 4000) }

        try await TestSubscriber.with(path: path) { slow, slowWriter in
            try await TestSubscriber.subscribe("{}", reader: &slow, writer: slowWriter)
            let fastReceived = try await TestSubscriber.with(path: path) { fast, fastWriter in
                try await TestSubscriber.subscribe("{}", reader: &fast, writer: fastWriter)
                var received: [Int] = []
                for start in stride(from: 0, to: total, by: batch) {
                    for line in lines[start..<min(total, start + batch)] { publisher.publish(line) }
                    for _ in start..<min(total, start + batch) {
                        let line = try await fast.next()
                        received.append(try #require(line.flatMap(Self.index)))
                    }
                }
                return received
            }
            #expect(fastReceived == Array(0..<total))
            // Only now does the slow client read: a prefix of the lines, in order and whole, then the notice.
            let slowLines = try await slow.rest()
            #expect(slowLines.last == TestSubscriber.slowNotice)
            let indices = slowLines.dropLast().compactMap(Self.index)
            #expect(indices.count == slowLines.count - 1)
            #expect(indices == Array(0..<indices.count))
            #expect(indices.count < total)
        }
        #expect(publisher.slowConsumerDisconnects == 1)
        await publisher.close()
    }

    @Test func vanishedClientDoesNotDisturbTheOthers() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let publisher = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path), logger: Self.logger)
        try await TestSubscriber.with(path: path) { reader, writer in
            try await TestSubscriber.subscribe("{}", reader: &reader, writer: writer)
            // A second client subscribes and goes away without a word.
            try await TestSubscriber.with(path: path) { gone, goneWriter in
                try await TestSubscriber.subscribe("{}", reader: &gone, writer: goneWriter)
            }
            for index in 0..<500 { publisher.publish(try Self.frame("cam1", index, "person", 0.9, pad: 1000)) }
            var indices: [Int] = []
            for _ in 0..<500 {
                let line = try await reader.next()
                indices.append(try #require(line.flatMap(Self.index)))
            }
            #expect(indices == Array(0..<500))
        }
        await publisher.close()
    }

    @Test func staleSocketIsReplacedAndPermissionsApplied() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        try makeStaleSocket(at: path)
        let publisher = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path, group: "0"), logger: Self.logger)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
        #expect((attributes[.groupOwnerAccountID] as? Int) == 0)
        #expect((attributes[.type] as? FileAttributeType) == .typeSocket)
        try await TestSubscriber.with(path: path) { reader, writer in
            try await TestSubscriber.subscribe("{}", reader: &reader, writer: writer)
        }
        await publisher.close()

        let restricted = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path, mode: 0o600), logger: Self.logger)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        await restricted.close()
    }

    @Test func liveSocketIsNotStolen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        let first = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path), logger: Self.logger)
        do {
            let second = try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path), logger: Self.logger)
            await second.close()
            Issue.record("a second publisher bound a live socket")
        } catch {
            #expect(error.description == "another process is serving on \(path); stop it or choose another socket path")
        }
        try await TestSubscriber.with(path: path) { reader, writer in
            try await TestSubscriber.subscribe("{}", reader: &reader, writer: writer)
            first.publish(try Self.frame("cam1", 7, "person", 0.9))
            let line = try await reader.next()
            #expect(line.flatMap(Self.index) == 7)
        }
        await first.close()
    }

    @Test func regularFileAtThePathIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("s.sock")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        await #expect(throws: SinksError.self) {
            try await UnixSocketPublisher.bind(configuration: PublisherConfiguration(path: path), logger: Self.logger)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    /// Leaves a socket file nobody listens on, as a crashed daemon would.
    private func makeStaleSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        try #require(result == 0)
        try #require(FileManager.default.fileExists(atPath: path))
    }
}
