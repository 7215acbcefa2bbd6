import Foundation
import Kafka
import KafkaTestSupport
import Logging
import Sinks
import Testing

/// ``KafkaSink`` against librdkafka's mock cluster in this process, read back with kcat.
@Suite("KafkaSink against a mock cluster", .serialized)
struct KafkaSinkTests {
    static func line(_ json: String, kind: RecordKind, stream: String?) -> JSONLine {
        JSONLine(validating: Array((json + "\n").utf8), metadata: RecordMetadata(kind: kind, stream: stream, labels: []))!
    }

    @Test("key = stream, value = the line without \\n, headers kind and v; per-stream order; only the configured kinds")
    func delivers() async throws {
        let cluster = try MockKafkaCluster(brokers: 3)
        try cluster.createTopic("records", partitions: 4, replicationFactor: 3)
        var configuration = KafkaOutputConfiguration(brokers: cluster.brokers, topic: "records")
        configuration.kinds = [.frame, .track, .notice]
        let sink = try KafkaSink(configuration: configuration, logger: Logger(label: "test"))
        #expect(sink.name == "kafka:records")
        var lines: [JSONLine] = []
        for frame in 0..<50 {
            for stream in ["a", "b"] {
                lines.append(Self.line(#"{"frame":\#(frame),"kind":"frame","stream":"\#(stream)","v":1}"#, kind: .frame, stream: stream))
            }
        }
        lines.append(Self.line(#"{"kind":"stream","state":"ended","stream":"a","v":1}"#, kind: .stream, stream: "a"))
        lines.append(Self.line(#"{"kind":"notice","reason":"x","v":1}"#, kind: .notice, stream: nil))
        await sink.write(contentsOf: lines)
        await sink.close()
        let statistics = sink.deliveryStatistics
        #expect(statistics.delivered == 101 && statistics.failed == 0 && statistics.dropped == 0 && statistics.inFlight == 0)

        let messages = try KafkaTopicReader.readAll(bootstraps: cluster.bootstraps, topic: "records")
        #expect(messages.count == 101)
        for stream in ["a", "b"] {
            let mine = messages.filter { $0.key == stream }
            let expected = (0..<50).map { #"{"frame":\#($0),"kind":"frame","stream":"\#(stream)","v":1}"# }
            #expect(mine.map(\.payload) == expected, "stream \(stream): every record once, in order")
            #expect(Set(mine.map(\.partition)).count == 1, "one stream, one partition")
            #expect(mine.allSatisfy { $0.header("kind") == "frame" && $0.header("v") == "1" })
        }
        let notice = messages.filter { $0.key == nil }
        #expect(notice.map(\.payload) == [#"{"kind":"notice","reason":"x","v":1}"#])
        #expect(notice.first?.header("kind") == "notice")
        #expect(!messages.contains { $0.payload.contains(#""state":"ended""#) }, "stream records are not in the configured kinds")
    }

    @Test("no cluster: the bounded queue fills, the rest is dropped; close counts the unacknowledged as dropped")
    func clusterGone() async throws {
        let cluster = try MockKafkaCluster(brokers: 1)
        let brokers = cluster.brokers
        cluster.destroy()
        var configuration = KafkaOutputConfiguration(brokers: brokers, topic: "gone")
        configuration.queueMessages = 5
        configuration.flushTimeout = 0.5
        let sink = try KafkaSink(configuration: configuration, logger: Logger(label: "test"))
        let lines = (0..<20).map { Self.line(#"{"frame":\#($0),"kind":"frame","stream":"a","v":1}"#, kind: .frame, stream: "a") }
        await sink.write(contentsOf: lines)
        let during = sink.deliveryStatistics
        #expect(during.inFlight == 5 && during.dropped == 15 && during.delivered == 0)
        #expect(!sink.isHealthy, "dropping")
        await sink.close()
        let after = sink.deliveryStatistics
        #expect(after.dropped == 20 && after.inFlight == 0 && after.delivered == 0 && after.failed == 0)
        await sink.write(lines[0])
        #expect(sink.deliveryStatistics.dropped == 21, "a line after close is dropped and counted")
    }
}
