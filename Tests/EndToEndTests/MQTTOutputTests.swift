import Foundation
import TestSupport
import Testing

/// `ssdd run` with `[output.file]` and `[output.mqtt]` against a real mosquitto (password required), observed with
/// `mosquitto_sub`: one run with a file stream and a live stream across a broker restart, stopped with SIGTERM; then a
/// second run killed with SIGKILL for the Last Will.
@Suite("MQTT output, end to end", .serialized)
struct MQTTOutputTests {
    static let credentials = (user: "ssdd", password: "pa55 word")

    /// Groups received messages by topic, keeping the first copy of each payload (QoS 1 may deliver one twice after a
    /// reconnect), in arrival order.
    /// How many of `received` must be moved to put them in the order of `order`: their count minus the longest
    /// subsequence already in that order (lines missing from `order` count as out of place).
    static func outOfPlace(_ received: [String], order: [String]) -> Int {
        var position: [String: Int] = [:]
        for (index, line) in order.enumerated() { position[line] = index }
        var tails: [Int] = []  // tails[k]: the least last position of an increasing run of length k + 1
        for line in received {
            guard let p = position[line] else { continue }
            var low = 0, high = tails.count
            while low < high {
                let middle = (low + high) / 2
                if tails[middle] < p { low = middle + 1 } else { high = middle }
            }
            if low == tails.count { tails.append(p) } else { tails[low] = p }
        }
        return received.count - tails.count
    }

    static func distinctPayloads(_ messages: [MQTTSubscription.Message], topic: String) -> [String] {
        var seen: Set<String> = []
        return messages.filter { $0.topic == topic && seen.insert($0.payload).inserted }.map(\.payload)
    }

    static func config(dir: String, broker: MosquittoBroker, streams: String) -> String {
        """
        [model]
        path = "\(DaemonTests.modelPath)"
        [workers]
        count = 1
        \(streams)
        [tracker]
        min_hits = 2
        [output.file]
        path = "\(dir)/out.jsonl"
        [output.mqtt]
        url = "\(broker.url)"
        client_id = "ssdd-e2e"
        username = "\(credentials.user)"
        password_file = "\(dir)/password"
        kinds = ["frame", "track", "stream", "event"]
        frigate = true
        homeassistant = true
        reconnect_initial = 0.1
        reconnect_max = 0.5
        """
    }

    @Test("records equal the file's lines across a broker restart; online → offline; discovery; Frigate events; Last Will on SIGKILL")
    func endToEnd() throws {
        let dir = ScratchDirectory.make("mqtt-e2e").path
        try "\(Self.credentials.password)\n".write(toFile: "\(dir)/password", atomically: true, encoding: .utf8)
        try DaemonHarness.makeClip("\(dir)/a.mp4", frames: 30)
        try DaemonHarness.makeClip("\(dir)/live.mp4", frames: 50)
        let broker = try MosquittoBroker(directory: "\(dir)/broker", credentials: Self.credentials)
        // A persistent session: what the broker accepts while this subscriber reconnects after the restart is kept.
        let all = try MQTTSubscription(broker: broker, filter: "ssdd/#", clientID: "e2e-all", credentials: Self.credentials)
        let port = DaemonHarness.freePort()
        let server = try DaemonHarness.startLiveServer(clip: "\(dir)/live.mp4", port: port)
        defer { server.send(SIGTERM) }
        let streams = """
            [[streams]]
            name = "fileA"
            url = "\(dir)/a.mp4"
            [[streams]]
            name = "live"
            url = "http://127.0.0.1:\(port)/live.ts"
            live = true
            """
        let daemon = try LaunchedDaemon(directory: dir, config: Self.config(dir: dir, broker: broker, streams: streams))
        let log = { "daemon log:\n\(daemon.log)\nbroker log:\n\(broker.log)" }
        func records(_ stream: String, _ kind: String) -> [String] { Self.distinctPayloads(all.messages, topic: "ssdd/records/\(stream)/\(kind)") }

        #expect(DaemonHarness.wait(seconds: 60) { records("live", "frame").count >= 10 }, "no live frames over MQTT; \(log())")
        #expect(all.payloads(on: "ssdd/available").first == "online")
        // Restart the broker mid-run: records produced while it is away are held and sent after the restart.
        let beforeRestart = records("live", "frame").count
        broker.stop()
        Thread.sleep(forTimeInterval: 1.5)
        try broker.start()
        #expect(
            DaemonHarness.wait(seconds: 60) { records("live", "frame").count >= beforeRestart + 60 }, "live frames did not resume; \(log())")
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(seconds: 60), "daemon did not exit after SIGTERM")
        #expect(daemon.terminationStatus == 0, "exit status \(daemon.terminationStatus); \(log())")
        #expect(daemon.log.components(separatedBy: "connected to the MQTT broker").count == 3, "two connections; \(log())")
        #expect(daemon.log.contains("MQTT broker connection lost"), "\(log())")
        #expect(!daemon.log.contains(Self.credentials.password), "the password appears in the log")

        // Every line of the file arrived on its topic with the same bytes, in the file's order per stream and kind.
        let file = DaemonHarness.lines("\(dir)/out.jsonl").complete
        #expect(DaemonHarness.wait(seconds: 30) { Self.distinctPayloads(all.messages, topic: "ssdd/available").last == "offline" }, "\(log())")
        var expected: [String: [String]] = [:]
        for line in file {
            let record = try #require(DaemonHarness.json(line))
            let topic = "ssdd/records/\(record["stream"] as? String ?? "?")/\(record["kind"] as? String ?? "?")"
            expected[topic, default: []].append(line)
        }
        #expect(expected.keys.contains("ssdd/records/fileA/track") && expected.keys.contains("ssdd/records/live/stream"))
        let received = all.messages
        for (topic, lines) in expected.sorted(by: { $0.key < $1.key }) {
            let got = Self.distinctPayloads(received, topic: topic)
            // Every line, nothing else, and in the file's order — up to the subscriber's own reconnect: the test's
            // `mosquitto_sub` is a persistent session that the broker restart disconnects too, and mosquitto 2.0 may
            // hand it a message published after it came back ahead of those it queued for it meanwhile (a CI run
            // saw frame 67 before 22–66 once). The broker's `max_inflight_messages 1`, documented as guaranteeing
            // in-order delivery, stopped delivery to the reconnected session altogether in 2.0.11, so the test
            // allows at most two lines out of place instead of none.
            #expect(got.count == lines.count && Set(got) == Set(lines), "\(topic): \(got.count) received, \(lines.count) in the file")
            let displaced = Self.outOfPlace(got, order: lines)
            if displaced > 0 { print("MQTTOutputTests: \(topic): \(displaced) line(s) out of the file's order at the subscriber") }
            #expect(displaced <= 2, "\(topic): \(displaced) lines out of the file's order")
        }
        #expect(expected["ssdd/records/live/frame", default: []].count >= 70)
        let recordTopics = Set(received.map(\.topic).filter { $0.hasPrefix("ssdd/records/") })
        #expect(recordTopics == Set(expected.keys))

        // Availability: online first, online again after the restart, offline (ours, on a clean DISCONNECT) last.
        let availability = all.payloads(on: "ssdd/available")
        #expect(availability.filter { $0 == "online" }.count >= 2, "\(availability)")
        #expect(broker.log.contains("Client ssdd-e2e disconnected."), "no clean DISCONNECT; \(log())")

        // Frigate events: JSON objects with Frigate's fields; every object that ended had a new event first.
        let events = all.payloads(on: "ssdd/events").compactMap(DaemonHarness.json)
        #expect(!events.isEmpty)
        let types = events.compactMap { $0["type"] as? String }
        #expect(types.contains("new") && types.contains("end"), "\(types)")
        for event in events {
            let after = try #require(event["after"] as? [String: Any])
            for key in [
                "id", "camera", "label", "score", "top_score", "box", "start_time", "end_time", "frame_time", "current_zones", "entered_zones",
            ] {
                #expect(after.keys.contains(key), "\(key) missing in \(after)")
            }
        }
        let newIDs = Set(events.filter { $0["type"] as? String == "new" }.compactMap { ($0["after"] as? [String: Any])?["id"] as? String })
        let endIDs = events.filter { $0["type"] as? String == "end" }.compactMap { ($0["after"] as? [String: Any])?["id"] as? String }
        #expect(endIDs.allSatisfy(newIDs.contains))

        // Retained state for late subscribers: availability offline, counts back to 0, discovery well-formed.
        let late = try MQTTSubscription(broker: broker, filter: "#", credentials: Self.credentials)
        #expect(DaemonHarness.wait(seconds: 10) { late.messages.contains { $0.topic.hasSuffix("live_person_occupancy/config") } })
        Thread.sleep(forTimeInterval: 0.3)
        let retained = late.messages
        #expect(retained.allSatisfy { $0.retained })
        #expect(retained.contains(.init(retained: true, topic: "ssdd/available", payload: "offline")))
        #expect(retained.contains(.init(retained: true, topic: "ssdd/live/person", payload: "0")))
        #expect(!retained.contains { $0.topic == "ssdd/events" || $0.topic.hasPrefix("ssdd/records/") }, "events and records are never retained")
        let discovery = retained.filter { $0.topic.hasPrefix("homeassistant/") }
        #expect(Set(discovery.map(\.topic)).count == 4, "\(discovery.map(\.topic))")
        for message in discovery {
            let payload = try #require(DaemonHarness.json(message.payload), "not JSON: \(message.payload)")
            for key in ["unique_id", "device", "availability_topic", "state_topic", "name"] {
                #expect(payload.keys.contains(key), "\(message.topic): \(key) missing")
            }
            #expect(payload["availability_topic"] as? String == "ssdd/available")
        }

        // A second run, killed: the broker publishes the Last Will. (Its live stream need not deliver anything: the
        // daemon runs while the stream reconnects.)
        let watcher = try MQTTSubscription(broker: broker, filter: "ssdd/available", credentials: Self.credentials)
        let killed = try LaunchedDaemon(
            directory: dir,
            config: Self.config(
                dir: dir, broker: broker, streams: "[[streams]]\nname = \"live\"\nurl = \"http://127.0.0.1:\(port)/live.ts\"\nlive = true"))
        #expect(DaemonHarness.wait(seconds: 60) { watcher.payloads(on: "ssdd/available").last == "online" }, "\(log())")
        killed.send(SIGKILL)
        #expect(killed.waitForExit(seconds: 10))
        #expect(DaemonHarness.wait(seconds: 10) { watcher.payloads(on: "ssdd/available").last == "offline" }, "no Last Will; \(log())")
        // Not a clean DISCONNECT this time (the broker words the dropped connection by what its last read saw).
        let lastSession = broker.log.components(separatedBy: " as ssdd-e2e ").last ?? ""
        #expect(!lastSession.contains("Client ssdd-e2e disconnected.\n"), "\(log())")
    }
}
