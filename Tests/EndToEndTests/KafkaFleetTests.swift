import Foundation
import KafkaTestSupport
import TestSupport
import Testing

/// `ssdd run` with `[output.kafka]`: two daemons (a fleet of two machines) write to one topic of librdkafka's mock
/// cluster (3 brokers, in this process); read back with kcat. One run of each daemon serves every check.
@Suite("ssdd run with [output.kafka]: two daemons, one topic, a leader outage, the cluster gone", .serialized)
struct KafkaFleetTests {
    static let topic = "fleet"
    static let flushTimeout = 2.0

    static func config(dir: String, stream: String, extra: String, kafka: [String], metricsPort: Int? = nil) -> String {
        let brokers = kafka.map { "\"\($0)\"" }.joined(separator: ", ")
        let metrics = metricsPort.map { "[metrics]\naddress = \"127.0.0.1:\($0)\"\n" } ?? ""
        return """
            [model]
            path = "\(DaemonTests.modelPath)"
            [workers]
            count = 1
            [[streams]]
            name = "\(stream)"
            \(extra)
            [tracker]
            min_hits = 2
            [output.file]
            path = "\(dir)/out.jsonl"
            [output.kafka]
            brokers = [\(brokers)]
            topic = "\(topic)"
            flush_timeout = \(flushTimeout)
            [output.kafka.properties]
            "client.id" = "\(stream)"
            \(metrics)
            """
    }

    /// The `key=value` fields of the daemon's last log line ending in `message`.
    static func fields(_ log: String, _ message: String) -> [String: String] {
        guard let line = log.split(separator: "\n").last(where: { $0.hasSuffix(message) }) else { return [:] }
        var result: [String: String] = [:]
        for word in line.split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }

    @Test(
        "every record once, in per-stream order, keyed, with headers, as the file's line; a leader outage loses nothing; the cluster gone: exit 0 within the flush deadline, drops counted"
    )
    func fleet() throws {
        let dir = ScratchDirectory.make("kafka").path
        for sub in ["a", "b"] { try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true) }
        try DaemonHarness.makeClip("\(dir)/a.mp4", frames: 80)
        try DaemonHarness.makeClip("\(dir)/live.mp4", frames: 50)
        let cluster = try MockKafkaCluster(brokers: 3)
        try cluster.createTopic(Self.topic, partitions: 4, replicationFactor: 3)
        for partition in Int32(0)..<4 { try cluster.setLeader(topic: Self.topic, partition: partition, broker: 1) }
        let port = DaemonHarness.freePort()
        let server = try DaemonHarness.startLiveServer(clip: "\(dir)/live.mp4", port: port)
        defer { server.send(SIGTERM) }
        let metricsPort = DaemonHarness.freePort()

        let a = try LaunchedDaemon(
            directory: "\(dir)/a",
            config: Self.config(dir: "\(dir)/a", stream: "hostA-cam1", extra: "url = \"\(dir)/a.mp4\"", kafka: cluster.brokers))
        let b = try LaunchedDaemon(
            directory: "\(dir)/b",
            config: Self.config(
                dir: "\(dir)/b", stream: "hostB-cam1", extra: "url = \"http://127.0.0.1:\(port)/live.ts\"\nlive = true\nfps = 5",
                kafka: cluster.brokers, metricsPort: metricsPort))
        func fileLines(_ daemon: String) -> [String] { DaemonHarness.lines("\(dir)/\(daemon)/out.jsonl").complete }

        // The leader of every partition (broker 1) goes away while A writes; leadership moves to broker 2; broker 1
        // comes back 3 s later.
        let started = DaemonHarness.wait(seconds: 90) { fileLines("a").filter { $0.contains(#""kind":"frame""#) }.count >= 10 }
        #expect(started, "daemon A wrote no frames; log:\n\(a.log)")
        try cluster.setDown(broker: 1)
        let linesAtOutage = fileLines("a").count
        for partition in Int32(0)..<4 { try cluster.setLeader(topic: Self.topic, partition: partition, broker: 2) }
        Thread.sleep(forTimeInterval: 3)
        let linesDuringOutage = fileLines("a").count - linesAtOutage
        try cluster.setUp(broker: 1)
        #expect(linesDuringOutage > 0, "A produced records while the leader was down")

        // A's file stream ends: A drains, flushes and exits 0 on its own.
        #expect(a.waitForExit(seconds: 120), "daemon A did not finish; log:\n\(a.log)")
        #expect(a.terminationStatus == 0, "A's exit status \(a.terminationStatus); log:\n\(a.log)")
        let aClosed = Self.fields(a.log, "kafka: closed")
        #expect(aClosed["dropped"] == "0" && aClosed["failed"] == "0", "A's Kafka counters: \(aClosed)")
        #expect(DaemonHarness.wait(seconds: 60) { fileLines("b").filter { $0.contains(#""kind":"frame""#) }.count >= 5 }, "B: \(b.log)")
        let metrics = try DaemonHarness.scrapeMetrics(port: metricsPort)
        func sample(_ name: String) -> Double? {
            let line = metrics.split(separator: "\n").first { $0.hasPrefix(name + #"{output="kafka:fleet"}"#) }
            return line?.split(separator: " ").last.flatMap { Double($0) }
        }
        #expect((sample("ssdd_output_records_total") ?? 0) > 0, "B's metrics:\n\(metrics)")
        #expect(sample("ssdd_output_connected") == 1 && sample("ssdd_output_records_dropped_total") == 0)

        let messages = try KafkaTopicReader.readAll(bootstraps: cluster.bootstraps, topic: Self.topic)
        // A: exactly its file, line for line, in order, in one partition, keyed and with headers.
        let aFile = fileLines("a")
        let aMessages = messages.filter { $0.key == "hostA-cam1" }
        #expect(aFile.count > 80 && aMessages.map(\.payload) == aFile, "A: \(aMessages.count) messages, \(aFile.count) file lines")
        #expect(Set(aMessages.map(\.partition)).count == 1)
        for message in aMessages {
            let kind = (DaemonHarness.json(message.payload)?["kind"] as? String) ?? "?"
            #expect(message.header("kind") == kind && message.header("v") == "1", "headers \(message.headers) of \(message.payload)")
        }
        let aFrames = aMessages.compactMap { DaemonHarness.json($0.payload) }.filter { $0["kind"] as? String == "frame" }
        #expect(aFrames.compactMap { $0["frame"] as? Int } == Array(0..<80), "every frame of A exactly once, in order")
        #expect(messages.allSatisfy { $0.key == "hostA-cam1" || $0.key == "hostB-cam1" })

        // The whole cluster disappears while B runs: SIGTERM ends B within the flush deadline (plus a margin), status 0,
        // what was not acknowledged counted as dropped; every record is delivered, failed or dropped.
        let bSeen = messages.filter { $0.key == "hostB-cam1" }.map(\.payload)
        cluster.destroy()
        let bLinesAtDestroy = fileLines("b").count
        #expect(DaemonHarness.wait(seconds: 30) { fileLines("b").count >= bLinesAtDestroy + 3 }, "B stopped writing")
        let stop = Date()
        b.send(SIGTERM)
        #expect(b.waitForExit(seconds: Self.flushTimeout + 20), "B did not exit after SIGTERM; log:\n\(b.log)")
        let stopSeconds = Date().timeIntervalSince(stop)
        #expect(stopSeconds < Self.flushTimeout + 15, "B took \(stopSeconds) s to stop")
        #expect(b.terminationStatus == 0, "B's exit status \(b.terminationStatus); log:\n\(b.log)")
        let bFile = fileLines("b")
        #expect(Array(bFile.prefix(bSeen.count)) == bSeen, "B's messages read before the cluster went are its first file lines")
        let bClosed = Self.fields(b.log, "kafka: closed")
        let counted = ["delivered", "failed", "dropped"].compactMap { bClosed[$0].flatMap { Int($0) } }.reduce(0, +)
        #expect(counted == bFile.count, "B: every line delivered, failed or dropped: \(bClosed) vs \(bFile.count) lines")
        #expect((bClosed["dropped"].flatMap { Int($0) } ?? 0) > 0, "B's unacknowledged records are counted as dropped: \(bClosed)")
        #expect(b.log.contains("records not acknowledged within flush_timeout are lost"), "log:\n\(b.log)")
        print(
            "kafka fleet: A \(aMessages.count) messages = \(aFile.count) file lines (partition \(aMessages.first?.partition ?? -1)), "
                + "\(linesDuringOutage) written during the leader outage; "
                + "B \(bSeen.count) read before the cluster went, \(bFile.count) file lines, closed with \(bClosed); B stopped in \(stopSeconds) s")
    }
}
