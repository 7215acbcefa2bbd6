import Foundation
import TestSupport
import Testing

/// `ssdd run` with one live stream from a ``ScriptedLiveSource``, checked in one daemon run: the stall timeout, the
/// reconnect back-off (announced delays and their spacing), a `/metrics` scrape, and `ssdd subscribe` filters.
@Suite("ssdd run with a scripted live source: stall, back-off, /metrics, ssdd subscribe", .serialized)
struct LiveStreamTests {
    static let stallTimeout = 1.0
    static let reconnectInitial = 0.2
    static let reconnectMax = 1.6

    /// The delay the k-th reconnect after a connection (or after start) announces: doubling from the initial delay,
    /// capped at the maximum.
    static func expectedDelay(_ k: Int) -> Double { min(reconnectInitial * Double(1 << min(k, 30)), reconnectMax) }

    /// A `reconnecting` record's message, "attempt N in D s".
    static func parseAttempt(_ message: String) -> (attempt: Int, delay: Double)? {
        let words = message.split(separator: " ")
        guard words.count == 5, words[0] == "attempt", words[2] == "in", words[4] == "s", let attempt = Int(words[1]), let delay = Double(words[3])
        else { return nil }
        return (attempt, delay)
    }

    @Test("stall → lost after stall_timeout; back-off doubles to the cap; /metrics counts the lines; subscribe filters and exits")
    func stallBackOffMetricsSubscribe() throws {
        let dir = ScratchDirectory.make("live").path
        try DaemonHarness.makeClip("\(dir)/live.ts", frames: 50)
        let source = try ScriptedLiveSource(clip: try Data(contentsOf: URL(fileURLWithPath: "\(dir)/live.ts")))
        defer { source.close() }
        let metricsPort = DaemonHarness.freePort()
        let daemon = try LaunchedDaemon(
            directory: dir,
            config: """
                [model]
                path = "\(DaemonTests.modelPath)"
                [[streams]]
                name = "cam"
                url = "tcp://127.0.0.1:\(source.port)"
                live = true
                stall_timeout = \(Self.stallTimeout)
                reconnect_initial = \(Self.reconnectInitial)
                reconnect_max = \(Self.reconnectMax)
                [tracker]
                min_hits = 2
                [output.file]
                path = "\(dir)/out.jsonl"
                [output.socket]
                path = "\(dir)/ssdd.sock"
                [metrics]
                address = "127.0.0.1:\(metricsPort)"
                """)
        #expect(DaemonHarness.wait(seconds: 60) { daemon.notify.contains("READY=1") }, "no READY=1; log:\n\(daemon.log)")

        // Subscribers first (each waits for the daemon's "subscribed" notice), then the source starts to listen: every
        // frame and track record comes after the subscriptions.
        let socket = "\(dir)/ssdd.sock"
        let personFrames = try SubscribeProcess(
            socket: socket, options: ["--streams", "cam", "--kinds", "frame,stream", "--labels", "person"], directory: dir, name: "person")
        let tracks = try SubscribeProcess(socket: socket, options: ["--kinds", "track"], directory: dir, name: "tracks")
        let dogs = try SubscribeProcess(socket: socket, options: ["--kinds", "frame", "--labels", "dog"], directory: dir, name: "dogs")
        for subscriber in [personFrames, tracks, dogs] {
            #expect(subscriber.waitUntilSubscribed(seconds: 30), "\(subscriber.process.arguments ?? []): \(subscriber.lines) \(subscriber.stderr)")
        }
        try source.listen()
        let lastSend = try #require(source.waitUntilSent(seconds: 60), "the daemon never connected; log:\n\(daemon.log)")

        func records() -> [[String: Any]] { DaemonHarness.lines("\(dir)/out.jsonl").complete.compactMap(DaemonHarness.json) }
        func states() -> [[String: Any]] { records().filter { $0["kind"] as? String == "stream" && $0["stream"] as? String == "cam" } }
        /// The stream records after the last `connected` one.
        func afterConnection(_ states: [[String: Any]]) -> ArraySlice<[String: Any]> {
            guard let connected = states.lastIndex(where: { $0["state"] as? String == "connected" }) else { return [] }
            return states[(connected + 1)...]
        }
        let backedOff = DaemonHarness.wait(seconds: 60) {
            afterConnection(states()).filter { $0["state"] as? String == "reconnecting" }.count >= 5
        }
        #expect(backedOff, "fewer than 5 reconnects after the stall: \(states())")

        // The stream is down and refused: its written-frames counter no longer moves.
        let scrape = try DaemonHarness.scrapeMetrics(port: metricsPort)
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(seconds: 60), "SIGTERM must stop the daemon")
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0, "log:\n\(daemon.log)")

        let all = DaemonHarness.lines("\(dir)/out.jsonl")
        #expect(all.partial.isEmpty)
        let camStates = states()
        let camFrames = records().filter { $0["kind"] as? String == "frame" && $0["stream"] as? String == "cam" }

        // Stall: the first record after the connection is `lost`, no earlier than stall_timeout after the last byte.
        let stalled = try #require(afterConnection(camStates).first, "no record after the connection: \(camStates)")
        #expect(stalled["state"] as? String == "lost")
        #expect((stalled["message"] as? String)?.hasSuffix("no answer within \(Self.stallTimeout) s") == true, "\(stalled)")
        let lostTime = try #require(stalled["time"] as? Double)
        #expect(
            lostTime >= lastSend + Self.stallTimeout, "lost \(lostTime - lastSend) s after the last byte, stall_timeout is \(Self.stallTimeout) s")
        #expect(!camFrames.isEmpty, "frames were read before the stall")

        // Back-off: every `reconnecting` record announces the next attempt's number and a delay that doubles from
        // reconnect_initial up to reconnect_max, restarting after each connection; the attempt's outcome comes no
        // earlier than the announced delay.
        var sinceConnection = 0
        var attempts: [Int] = []
        for (i, record) in camStates.enumerated() {
            switch record["state"] as? String {
            case "connected":
                sinceConnection = 0
            case "reconnecting":
                let message = record["message"] as? String ?? ""
                guard let parsed = Self.parseAttempt(message) else {
                    Issue.record("not \"attempt N in D s\": \(message)")
                    continue
                }
                let (attempt, delay) = parsed
                #expect(delay == Self.expectedDelay(sinceConnection), "reconnect \(sinceConnection) after a connection: \(message)")
                sinceConnection += 1
                attempts.append(attempt)
                let time = try #require(record["time"] as? Double)
                if i + 1 < camStates.count, camStates[i + 1]["state"] as? String != "ended", let next = camStates[i + 1]["time"] as? Double {
                    // 1 ms for the rounding of two wall-clock times near 1.8e9 s.
                    #expect(next - time >= delay - 0.001, "attempt \(attempt) came \(next - time) s after announcing \(delay) s")
                }
            default:
                break
            }
        }
        #expect(attempts == Array(2..<(2 + attempts.count)), "attempt numbers: \(attempts)")
        let afterStall = afterConnection(camStates).filter { $0["state"] as? String == "reconnecting" }
            .compactMap { ($0["message"] as? String).flatMap(Self.parseAttempt)?.delay }
        #expect(Array(afterStall.prefix(5)) == [0.2, 0.4, 0.8, 1.6, 1.6], "announced after the stall: \(afterStall)")
        #expect(
            camStates.last?["state"] as? String == "ended" && camStates.last?["message"] as? String == "daemon stopping", "\(camStates.last ?? [:])")

        // /metrics while the stream was refused: the written-frames counter equals the frame lines, the stream is down.
        #expect(DaemonHarness.metric(scrape, "ssdd_frames_written_total", stream: "cam") == Double(camFrames.count), "scrape:\n\(scrape)")
        #expect(DaemonHarness.metric(scrape, "ssdd_stream_up", stream: "cam") == 0, "scrape:\n\(scrape)")

        // ssdd subscribe: each prints exactly what its options select, and exits 0 once the daemon stops.
        let fileLines = all.complete
        for subscriber in [personFrames, tracks, dogs] {
            #expect(subscriber.waitForExit(seconds: 30), "\(subscriber.process.arguments ?? []) must exit when the daemon stops")
            #expect(subscriber.process.terminationReason == .exit && subscriber.process.terminationStatus == 0, "\(subscriber.stderr)")
            #expect(subscriber.stderr.isEmpty, "\(subscriber.stderr)")
            #expect(
                subscriber.lines.first == SubscribeProcess.subscribedNotice && subscriber.lines.last == SubscribeProcess.shutdownNotice,
                "\(subscriber.lines)")
        }
        func data(_ subscriber: SubscribeProcess) -> [String] { Array(subscriber.lines.dropFirst().dropLast()) }
        func hasPerson(_ line: String) -> Bool {
            ((DaemonHarness.json(line)?["detections"] as? [[String: Any]]) ?? []).contains { $0["label"] as? String == "person" }
        }
        let isCam = { (line: String) in line.contains(#""stream":"cam""#) }
        let isFrame = { (line: String) in line.contains(#""kind":"frame""#) }
        let isStream = { (line: String) in line.contains(#""kind":"stream""#) }
        let isTrack = { (line: String) in line.contains(#""kind":"track""#) }

        // --streams cam --kinds frame,stream --labels person: the frames with a person (all of them, in order) and the
        // stream records since subscribing (stream records are not filtered by label).
        let selected = fileLines.filter { isCam($0) && (isStream($0) || (isFrame($0) && hasPerson($0))) }
        let received = data(personFrames)
        #expect(received.filter(isFrame) == selected.filter(isFrame) && !received.filter(isFrame).isEmpty, "person frames")
        #expect(received == Array(selected.suffix(received.count)), "the same lines as the file, in the same order")
        #expect(received.filter(isStream).count >= 2 + 2 * 5, "connected, lost and the reconnects: \(received.filter(isStream))")
        // --kinds track: exactly the track records.
        #expect(data(tracks) == fileLines.filter(isTrack) && !data(tracks).isEmpty, "tracks: \(data(tracks))")
        // --kinds frame --labels dog: the person model never reports a dog, so nothing but the notices.
        #expect(data(dogs).isEmpty, "\(data(dogs))")
    }
}
