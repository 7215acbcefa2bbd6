import Foundation
import TestSupport
import Testing

/// `ssdd run` end to end: the release binary, the real person model, two file streams and one live HTTP stream that is
/// killed and restarted, a JSON Lines file and a socket subscriber, then SIGTERM.
@Suite("ssdd run, end to end", .serialized)
struct DaemonTests {
    static var modelPath: String {
        ProcessInfo.processInfo.environment["SSDD_MODEL"]
            ?? BinaryRunner.packageRoot.appendingPathComponent("models/person.safetensors").path
    }

    @Test("files are complete and in order, the live stream reconnects, SIGTERM drains and exits 0")
    func fullRun() throws {
        let dir = ScratchDirectory.make("daemon").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try DaemonHarness.makeClip("\(dir)/a.mp4", frames: 40)
        try DaemonHarness.makeClip("\(dir)/b.mp4", frames: 30)
        try DaemonHarness.makeClip("\(dir)/live.mp4", frames: 50)
        let port = DaemonHarness.freePort()
        var server = try DaemonHarness.startLiveServer(clip: "\(dir)/live.mp4", port: port)
        defer { server.send(SIGTERM) }
        let daemon = try LaunchedDaemon(
            directory: dir,
            config: """
                [model]
                path = "\(Self.modelPath)"
                [workers]
                count = 2
                threads = 1
                queue = 8
                [[streams]]
                name = "fileA"
                url = "\(dir)/a.mp4"
                [[streams]]
                name = "fileB"
                url = "\(dir)/b.mp4"
                every = 2
                [[streams]]
                name = "live"
                url = "http://127.0.0.1:\(port)/live.ts"
                live = true
                reconnect_initial = 0.2
                reconnect_max = 1.0
                stall_timeout = 3.0
                [tracker]
                min_hits = 2
                [output.file]
                path = "\(dir)/out.jsonl"
                [output.socket]
                path = "\(dir)/ssdd.sock"
                [metrics]
                address = "127.0.0.1:0"
                """)
        let log = { daemon.log }

        // Ready when the socket exists.
        #expect(DaemonHarness.wait(seconds: 60) { FileManager.default.fileExists(atPath: "\(dir)/ssdd.sock") }, "no socket; log:\n\(log())")
        let subscriber = try SocketSubscriber(path: "\(dir)/ssdd.sock", subscription: #"{"streams":["live"],"kinds":["frame","stream"]}"#)

        func records(_ out: String = "\(dir)/out.jsonl") -> [[String: Any]] {
            DaemonHarness.lines(out).complete.compactMap(DaemonHarness.json)
        }
        func liveStates() -> [String] {
            records().filter { $0["kind"] as? String == "stream" && $0["stream"] as? String == "live" }.compactMap { $0["state"] as? String }
        }
        func frames(_ stream: String) -> [Int] {
            records().filter { $0["kind"] as? String == "frame" && $0["stream"] as? String == stream }.compactMap { $0["frame"] as? Int }
        }

        // Both files finish; the live stream delivers frames.
        let filesDone = DaemonHarness.wait(seconds: 120) {
            let ended = records().filter { $0["kind"] as? String == "stream" && $0["state"] as? String == "ended" }.compactMap {
                $0["stream"] as? String
            }
            return Set(ended).isSuperset(of: ["fileA", "fileB"]) && frames("live").count >= 10
        }
        #expect(filesDone, "files did not finish or live frames missing; log:\n\(log())")

        // Kill the live source: the stream is lost and reconnects.
        server.send(SIGKILL)
        server.waitForExit()
        #expect(DaemonHarness.wait(seconds: 30) { liveStates().contains("reconnecting") }, "no reconnect record; states \(liveStates())")
        let framesBeforeRestart = frames("live").count
        server = try DaemonHarness.startLiveServer(clip: "\(dir)/live.mp4", port: port)
        #expect(
            DaemonHarness.wait(seconds: 60) {
                liveStates().filter { $0 == "connected" }.count >= 2 && frames("live").count >= framesBeforeRestart + 10
            }, "live stream did not come back; states \(liveStates())")

        // Graceful stop.
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(seconds: 60), "daemon did not exit after SIGTERM")
        #expect(daemon.terminationStatus == 0, "exit status \(daemon.terminationStatus); log:\n\(log())")

        // The file: only complete lines, every one valid JSON with a version.
        let (lines, partial) = DaemonHarness.lines("\(dir)/out.jsonl")
        #expect(partial.isEmpty, "partial last line: \(partial)")
        let all = lines.compactMap(DaemonHarness.json)
        #expect(all.count == lines.count, "every line is a JSON object")
        #expect(all.allSatisfy { $0["v"] as? Int == 1 })
        // Files: every frame exactly once, in order (every 2nd for fileB).
        #expect(frames("fileA") == Array(0..<40))
        #expect(frames("fileB") == Array(stride(from: 0, to: 30, by: 2)))
        // Live: strictly increasing frame indices (dropped frames are absent, never duplicated or reordered).
        let live = frames("live")
        #expect(zip(live, live.dropFirst()).allSatisfy { $0 < $1 })
        let states = liveStates()
        #expect(states.first == "connected" && states.contains("lost") && states.contains("reconnecting") && states.last == "ended", "\(states)")
        // The photo's person is tracked in fileA: a start and an end record with the same id.
        let tracks = all.filter { $0["kind"] as? String == "track" && $0["stream"] as? String == "fileA" && $0["label"] as? String == "person" }
        #expect(tracks.contains { $0["event"] as? String == "start" } && tracks.contains { $0["event"] as? String == "end" })
        let fileAFrames = all.filter { $0["kind"] as? String == "frame" && $0["stream"] as? String == "fileA" }
        let withPerson = fileAFrames.filter { (($0["detections"] as? [[String: Any]]) ?? []).contains { $0["label"] as? String == "person" } }
        #expect(withPerson.count >= 30, "the person is detected in most frames of fileA (\(withPerson.count) of 40)")

        // The subscriber: only the live stream, its frame lines identical to the file's and in the same order, then the
        // shutdown notice.
        #expect(subscriber.waitForClose(seconds: 10))
        let received = subscriber.lines
        #expect(received.last?.contains(#""reason":"shutdown""#) == true, "last line: \(received.last ?? "none")")
        let receivedFrames = received.filter { $0.contains(#""kind":"frame""#) }
        #expect(receivedFrames.count >= 10)
        #expect(receivedFrames.allSatisfy { $0.contains(#""stream":"live""#) })
        let fileLiveFrames = lines.filter { $0.contains(#""kind":"frame""#) && $0.contains(#""stream":"live""#) }
        if let first = receivedFrames.first, let start = fileLiveFrames.firstIndex(of: first) {
            #expect(Array(fileLiveFrames[start..<min(fileLiveFrames.count, start + receivedFrames.count)]) == receivedFrames)
        } else {
            Issue.record("the subscriber's first frame line is not in the file")
        }
    }
}
