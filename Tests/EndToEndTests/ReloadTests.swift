import Foundation
import TestSupport
import Testing

/// `ssdd run` reloading its configuration on SIGHUP, checked in one daemon run: a stream added, one removed, one
/// changed (its threshold), one untouched; then a broken file; then SIGUSR1 reopening a renamed output file.
@Suite("ssdd run: reload on SIGHUP, reopen on SIGUSR1", .serialized)
struct ReloadTests {
    /// The records of `path` (complete lines).
    static func records(_ path: String) -> [[String: Any]] {
        DaemonHarness.lines(path).complete.compactMap(DaemonHarness.json)
    }

    static func config(dir: String, port: Int, metricsPort: Int, streams: String) -> String {
        """
        [model]
        path = "\(DaemonTests.modelPath)"
        [workers]
        count = 1
        \(streams)
        [output.file]
        path = "\(dir)/out.jsonl"
        [metrics]
        address = "127.0.0.1:\(metricsPort)"
        """
    }

    /// A live stream whose source is a file replayed after its end (`live = true`), at most 1 inferred frame a second
    /// of stream time.
    static func replayed(_ name: String, clip: String, threshold: Double = 0.5) -> String {
        """
        [[streams]]
        name = "\(name)"
        url = "\(clip)"
        live = true
        fps = 1
        threshold = \(threshold)
        reconnect_initial = 0.5
        """
    }

    @Test(
        "SIGHUP: added starts, removed ends (reason reload), changed restarts, unchanged runs on without a gap; a broken file keeps the old one; SIGUSR1 reopens"
    )
    func reload() throws {
        let dir = ScratchDirectory.make("reload").path
        try DaemonHarness.makeClip("\(dir)/live.mp4", frames: 50)
        try DaemonHarness.makeClip("\(dir)/clip.mp4", frames: 25)
        let port = DaemonHarness.freePort()
        let server = try DaemonHarness.startLiveServer(clip: "\(dir)/live.mp4", port: port)
        defer { server.send(SIGTERM) }
        let metricsPort = DaemonHarness.freePort()
        let steady = """
            [[streams]]
            name = "steady"
            url = "http://127.0.0.1:\(port)/live.ts"
            live = true
            fps = 5
            """
        let clip = "\(dir)/clip.mp4"
        let first = Self.config(
            dir: dir, port: port, metricsPort: metricsPort,
            streams: steady + "\n" + Self.replayed("gone", clip: clip) + "\n" + Self.replayed("tuned", clip: clip))
        let daemon = try LaunchedDaemon(directory: dir, config: first)
        let out = "\(dir)/out.jsonl"
        func framesOf(_ stream: String) -> [[String: Any]] {
            Self.records(out).filter { $0["kind"] as? String == "frame" && $0["stream"] as? String == stream }
        }
        func streamRecords(_ stream: String) -> [[String: Any]] {
            Self.records(out).filter { $0["kind"] as? String == "stream" && $0["stream"] as? String == stream }
        }
        #expect(DaemonHarness.wait(seconds: 120) { daemon.notify.contains("READY=1") }, "no READY=1; log:\n\(daemon.log)")
        #expect(DaemonHarness.wait(seconds: 120) { framesOf("steady").count >= 5 && framesOf("tuned").count >= 2 }, "log:\n\(daemon.log)")
        let steadyRecordsBefore = streamRecords("steady").count
        let tunedRecordsBefore = streamRecords("tuned").count

        // 1. Remove "gone", raise the threshold of "tuned", add "fresh"; "steady" is untouched.
        let second = Self.config(
            dir: dir, port: port, metricsPort: metricsPort,
            streams: steady + "\n" + Self.replayed("tuned", clip: clip, threshold: 0.6) + "\n" + Self.replayed("fresh", clip: clip))
        try second.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let readyBefore = daemon.notify.count("READY=1")
        daemon.send(SIGHUP)
        #expect(DaemonHarness.wait(seconds: 120) { daemon.notify.count("READY=1") > readyBefore }, "no READY=1 after the reload; log:\n\(daemon.log)")
        let messages = daemon.notify.messages
        let reloading = try #require(messages.firstIndex { $0.contains("RELOADING=1") }, "\(messages)")
        #expect(messages[reloading].contains("MONOTONIC_USEC="))
        let usec = messages[reloading].split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { UInt64($0.dropFirst(15)) }
        #expect((usec ?? 0) > 0)
        #expect(messages.lastIndex { $0.contains("READY=1") }! > reloading, "READY=1 follows RELOADING=1")
        #expect(
            DaemonHarness.wait(seconds: 120) {
                framesOf("fresh").count >= 2
                    && streamRecords("tuned").contains { $0["state"] as? String == "connected" && ($0["time"] as? Double ?? 0) > 0 }
                    && streamRecords("tuned").count > tunedRecordsBefore + 1
            }, "log:\n\(daemon.log)")
        let gone = streamRecords("gone")
        #expect(gone.last?["state"] as? String == "ended")
        #expect(gone.last?["reason"] as? String == "reload")
        let tuned = streamRecords("tuned")
        let tunedEnd = try #require(tuned.firstIndex { $0["reason"] as? String == "reload" }, "\(tuned)")
        #expect(tuned[tunedEnd]["state"] as? String == "ended")
        #expect(tuned[(tunedEnd + 1)...].contains { $0["state"] as? String == "connected" }, "the restarted stream connects again")
        #expect(streamRecords("fresh").first?["state"] as? String == "connected")
        #expect(!Self.records(out).contains { $0["reason"] != nil && $0["stream"] as? String == "steady" })

        // 2. A broken file: the running configuration stays, the failure is logged with its key and counted.
        let framesBeforeBreak = framesOf("steady").count
        try (second + "\n[[streams]]\nname = \"bad\"\nurl = \"x.mp4\"\nthreshold = 2\n").write(
            toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let readyBeforeBreak = daemon.notify.count("READY=1")
        daemon.send(SIGHUP)
        #expect(DaemonHarness.wait(seconds: 60) { daemon.notify.count("READY=1") > readyBeforeBreak }, "log:\n\(daemon.log)")
        #expect(daemon.notify.contains("reload failed"))
        #expect(daemon.log.contains("reload failed") && daemon.log.contains("threshold"), "log:\n\(daemon.log)")
        #expect(DaemonHarness.wait(seconds: 60) { framesOf("steady").count >= framesBeforeBreak + 5 })
        #expect(daemon.isRunning)
        #expect(streamRecords("bad").isEmpty)
        let metrics = try DaemonHarness.scrapeMetrics(port: metricsPort)
        #expect(metrics.contains("ssdd_config_reloads_total{result=\"success\"} 1\n"), "\(metrics)")
        #expect(metrics.contains("ssdd_config_reloads_total{result=\"failure\"} 1\n"))
        #expect(metrics.contains("ssdd_config_last_reload_successful 0.0\n"))
        #expect(metrics.contains("ssdd_config_last_reload_success_timestamp_seconds "))
        #expect(DaemonHarness.metric(metrics, "ssdd_frames_written_total", stream: "fresh").map { $0 >= 2 } == true)

        // The untouched stream: no stream record since it connected, frame numbers only increasing, no pause beyond
        // its cadence (5 frames a second of a real-time source; generous for a loaded machine).
        #expect(streamRecords("steady").count == steadyRecordsBefore)
        let steadyFrames = framesOf("steady")
        let indices = steadyFrames.compactMap { $0["frame"] as? Int }
        #expect(indices == indices.sorted() && Set(indices).count == indices.count, "frame numbers continue")
        let times = steadyFrames.compactMap { $0["time"] as? Double }
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect((gaps.max() ?? 0) < 3, "largest gap between steady frames: \(gaps.max() ?? 0) s")

        // 3. SIGUSR1: the renamed file is left behind and a new one opened at the path.
        try FileManager.default.moveItem(atPath: out, toPath: "\(dir)/out.jsonl.1")
        let reloadsBefore = daemon.notify.count("RELOADING=1")
        daemon.send(SIGUSR1)
        #expect(DaemonHarness.wait(seconds: 60) { framesOf("steady").count >= 3 }, "lines go to a new out.jsonl after SIGUSR1")
        #expect(daemon.notify.count("RELOADING=1") == reloadsBefore, "SIGUSR1 does not reload")

        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(seconds: 120))
        #expect(daemon.terminationStatus == 0, "log:\n\(daemon.log)")
    }
}
