import Foundation
import TestSupport
import Testing

/// A datagram socket standing in for systemd's NOTIFY_SOCKET; records every message.
final class NotifyListener: @unchecked Sendable {
    // `messages` is guarded by `lock`; the descriptor is read only by the listener thread.
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []

    init(path: String) {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                let text = String(decoding: buffer[0..<n], as: UTF8.self)
                lock.withLock { received.append(text) }
            }
        }.start()
    }

    var messages: [String] { lock.withLock { received } }
    func contains(_ fragment: String) -> Bool { messages.contains { $0.contains(fragment) } }
    func close() { shutdown(fd, Int32(SHUT_RDWR)); _ = Glibc.close(fd) }
}

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
        defer { if server.isRunning { server.terminate() } }
        let notify = NotifyListener(path: "\(dir)/notify.sock")
        defer { notify.close() }
        try """
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
            """.write(toFile: "\(dir)/ssdd.toml", atomically: true, encoding: .utf8)
        let daemon = Process()
        daemon.executableURL = BinaryRunner.binary
        daemon.arguments = ["run", "--config", "\(dir)/ssdd.toml"]
        daemon.environment = ProcessInfo.processInfo.environment.merging(["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"]) { $1 }
        FileManager.default.createFile(atPath: "\(dir)/stderr.log", contents: nil)
        daemon.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/stderr.log"))
        daemon.standardOutput = FileHandle.nullDevice
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let log = { String(decoding: FileManager.default.contents(atPath: "\(dir)/stderr.log") ?? Data(), as: UTF8.self) }

        #expect(DaemonHarness.wait(seconds: 60) { notify.contains("READY=1") }, "no READY=1; log:\n\(log())")
        #expect(DaemonHarness.wait(seconds: 30) { DaemonHarness.lines("\(dir)/out/detections.jsonl").complete.count >= 3 })
        // Break the output under the running daemon: a regular file where its directory was. The open file is gone
        // (link count 0), and reopening fails with ENOTDIR (even for root) until the directory is back.
        try FileManager.default.removeItem(atPath: "\(dir)/out")
        FileManager.default.createFile(atPath: "\(dir)/out", contents: Data("not a directory".utf8))
        let subscriber = try SocketSubscriber(path: "\(dir)/ssdd.sock", subscription: #"{"kinds":["frame"]}"#)
        #expect(DaemonHarness.wait(seconds: 30) { subscriber.lines.filter { $0.contains(#""kind":"frame""#) }.count >= 10 }, "the socket must keep serving while file writes fail")
        #expect(DaemonHarness.wait(seconds: 10) { log().contains("out/detections.jsonl") }, "the write failure is reported; log:\n\(log())")
        #expect(DaemonHarness.wait(seconds: 10) { notify.contains("WATCHDOG=1") })

        // Repair the path: the held lines land.
        try FileManager.default.removeItem(atPath: "\(dir)/out")
        try FileManager.default.createDirectory(atPath: "\(dir)/out", withIntermediateDirectories: false)
        #expect(DaemonHarness.wait(seconds: 30) { DaemonHarness.lines("\(dir)/out/detections.jsonl").complete.count >= 15 })

        kill(daemon.processIdentifier, SIGTERM)
        #expect(DaemonHarness.wait(seconds: 60) { !daemon.isRunning })
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0, "log:\n\(log())")
        #expect(notify.contains("STOPPING=1"))
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
        try """
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
            """.write(toFile: "\(dir)/ssdd.toml", atomically: true, encoding: .utf8)
        let daemon = Process()
        daemon.executableURL = BinaryRunner.binary
        daemon.arguments = ["run", "--config", "\(dir)/ssdd.toml"]
        daemon.standardError = FileHandle.nullDevice
        daemon.standardOutput = FileHandle.nullDevice
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(DaemonHarness.wait(seconds: 60) { DaemonHarness.lines("\(dir)/out.jsonl").complete.count >= 3 })
        kill(daemon.processIdentifier, SIGINT)
        usleep(100_000)  // two signals sent at once would merge into one delivery
        kill(daemon.processIdentifier, SIGINT)
        #expect(DaemonHarness.wait(seconds: 20) { !daemon.isRunning }, "the second signal must end the daemon")
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 1)
        #expect(DaemonHarness.lines("\(dir)/out.jsonl").partial.isEmpty, "even then, no half-written line")
    }

    @Test("a malformed configuration: exit status 1 and a message naming the key")
    func malformedConfig() throws {
        let dir = ScratchDirectory.make("cfg").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "[[streams]]\nname = \"cam\"\nurl = \"rtsp://127.0.0.1/x\"\nfps = \"fast\"\n".write(toFile: "\(dir)/bad.toml", atomically: true, encoding: .utf8)
        for command in [["run", "--config", "\(dir)/bad.toml"], ["config", "check", "\(dir)/bad.toml"]] {
            let result = try BinaryRunner.run(command)
            #expect(result.status == 1)
            #expect(result.stderr.contains("\(dir)/bad.toml: streams[0].fps: expected a number, got string \"fast\""), "\(result.stderr)")
        }
    }
}
