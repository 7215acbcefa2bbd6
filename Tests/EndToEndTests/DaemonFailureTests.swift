import Foundation
import TestSupport
import Testing

@Suite("ssdd run: failing outputs, systemd notification, malformed configuration", .serialized)
struct DaemonFailureTests {
    @Test("writes into a broken output path are reported and retried; the socket keeps serving; READY/WATCHDOG/STOPPING")
    func failingOutput() throws {
        let dir = ScratchDirectory.make("fail").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try DaemonHarness.makeClip("\(dir)/live.mp4", frames: 50)
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: false)
        let port = DaemonHarness.freePort()
        let server = try DaemonHarness.startLiveServer(clip: "\(dir)/live.mp4", port: port)
        defer { server.send(SIGTERM) }
        let daemon = try LaunchedDaemon(
            directory: dir,
            config: """
                [model]
                path = "\(DaemonTests.modelPath)"
                [[streams]]
                name = "cam"
                url = "http://127.0.0.1:\(port)/live.ts"
                fps = 10
                [output.file]
                path = "\(dir)/out/detections.jsonl"
                [output.socket]
                path = "\(dir)/ssdd.sock"
                """, environment: ["WATCHDOG_USEC": "1000000"])
        let notify = daemon.notify
        let log = { daemon.log }

        #expect(DaemonHarness.wait(seconds: 60) { notify.contains("READY=1") }, "no READY=1; log:\n\(log())")
        #expect(DaemonHarness.wait(seconds: 30) { DaemonHarness.lines("\(dir)/out/detections.jsonl").complete.count >= 3 })
        // Break the output under the running daemon: a regular file where its directory was. The open file is gone
        // (link count 0), and reopening fails with ENOTDIR (even for root) until the directory is back.
        try FileManager.default.removeItem(atPath: "\(dir)/out")
        FileManager.default.createFile(atPath: "\(dir)/out", contents: Data("not a directory".utf8))
        let subscriber = try SocketSubscriber(path: "\(dir)/ssdd.sock", subscription: #"{"kinds":["frame"]}"#)
        #expect(
            DaemonHarness.wait(seconds: 30) { subscriber.lines.filter { $0.contains(#""kind":"frame""#) }.count >= 10 },
            "the socket must keep serving while file writes fail")
        // The reason is ENOTDIR, or ENOENT when a retry fell between the directory's removal and the file's creation
        // (a failure streak is logged once).
        let reported = {
            log().split(separator: "\n").contains {
                $0.contains("\(dir)/out/detections.jsonl") && ($0.contains("Not a directory") || $0.contains("No such file or directory"))
            }
        }
        #expect(DaemonHarness.wait(seconds: 10, reported), "the write failure is reported with its path and reason; log:\n\(log())")
        #expect(DaemonHarness.wait(seconds: 10) { notify.contains("WATCHDOG=1") })

        // Repair the path: the held lines land.
        try FileManager.default.removeItem(atPath: "\(dir)/out")
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: false)
        #expect(DaemonHarness.wait(seconds: 30) { DaemonHarness.lines("\(dir)/out/detections.jsonl").complete.count >= 15 })

        daemon.send(SIGTERM)
        #expect(DaemonHarness.wait(seconds: 30) { notify.contains("STOPPING=1") }, "SIGTERM starts the graceful stop")
        #expect(daemon.waitForExit(seconds: 60))
        #expect(daemon.terminationStatus == 0, "log:\n\(log())")
        let (lines, partial) = DaemonHarness.lines("\(dir)/out/detections.jsonl")
        #expect(partial.isEmpty)
        let frames = lines.compactMap(DaemonHarness.json).filter { $0["kind"] as? String == "frame" }.compactMap { $0["frame"] as? Int }
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0 < $1 })
        let subscribed = subscriber.lines.filter { $0.contains(#""kind":"frame""#) }
        #expect(Set(subscribed).isSubset(of: Set(lines)), "every line a subscriber saw while the file failed is in the repaired file")
    }

    @Test("a second signal exits at once, without draining (status 1)")
    func secondSignal() throws {
        let dir = ScratchDirectory.make("sig").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try DaemonHarness.makeClip("\(dir)/long.mp4", frames: 250)
        let daemon = try LaunchedDaemon(
            directory: dir,
            config: """
                [model]
                path = "\(DaemonTests.modelPath)"
                # One worker and a deep queue: the graceful drain after the first signal takes long enough (~1 s).
                [workers]
                count = 1
                queue = 96
                [[streams]]
                name = "f"
                url = "\(dir)/long.mp4"
                [output.file]
                path = "\(dir)/out.jsonl"
                """)
        #expect(DaemonHarness.wait(seconds: 60) { DaemonHarness.lines("\(dir)/out.jsonl").complete.count >= 3 })
        // The first SIGINT starts the graceful stop, seen as STOPPING=1; only then the second, so the two are two
        // deliveries (sent together they could merge into one pending signal).
        daemon.send(SIGINT)
        #expect(DaemonHarness.wait(seconds: 30) { daemon.notify.contains("STOPPING=1") }, "the first signal starts the graceful stop")
        #expect(daemon.isRunning, "still draining after the first signal")
        daemon.send(SIGINT)
        #expect(daemon.waitForExit(seconds: 20), "the second signal must end the daemon")
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 1, "log:\n\(daemon.log)")
        #expect(daemon.log.contains("ssdd: second signal, exiting without draining"), "log:\n\(daemon.log)")
        #expect(daemon.notify.count("STOPPING=1") == 1, "one graceful stop for two signals: \(daemon.notify.messages)")
        #expect(daemon.summary == nil, "no shutdown summary: the drain was cut short")
        #expect(DaemonHarness.lines("\(dir)/out.jsonl").partial.isEmpty, "even then, no half-written line")
    }

    @Test("a malformed configuration: exit status 1 and a message naming the key")
    func malformedConfig() throws {
        let dir = ScratchDirectory.make("cfg").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "[[streams]]\nname = \"cam\"\nurl = \"rtsp://127.0.0.1/x\"\nfps = \"fast\"\n".write(
            toFile: "\(dir)/bad.toml", atomically: true, encoding: .utf8)
        for command in [["run", "--config", "\(dir)/bad.toml"], ["config", "check", "\(dir)/bad.toml"]] {
            let result = try BinaryRunner.run(command)
            #expect(result.status == 1)
            #expect(result.stderr.contains("\(dir)/bad.toml: streams[0].fps: expected a number, got string \"fast\""), "\(result.stderr)")
        }
    }
}
