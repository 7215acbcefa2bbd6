import Foundation
import TestSupport
import Testing

/// `ssdd run` against hostile set-ups: outputs that cannot be opened, configurations `config check` and `run` must
/// judge alike, file permissions, a bad model on one stream, and a crash followed by restarts (resume points).
@Suite("ssdd run: hostile outputs and configurations, permissions, a bad model, crash and resume", .serialized)
struct DaemonHardeningTests {
    /// Writes a configuration with one file stream and `extra` TOML after it; returns its path.
    static func config(_ dir: String, clip: String, extra: String, model: String = DaemonTests.modelPath) throws -> String {
        let path = "\(dir)/ssdd.toml"
        try """
        [model]
        path = "\(model)"
        [[streams]]
        name = "f"
        url = "\(clip)"
        \(extra)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func clip(_ dir: String, frames: Int = 20) throws -> String {
        let path = "\(dir)/clip.mp4"
        try DaemonHarness.makeClip(path, frames: frames)
        return path
    }

    @Test(
        "an output that cannot be opened fails `config check` and `run` alike: status 1, the key and the reason",
        arguments: [
            "directory", "missing directory", "per_stream on a file", "FIFO",
        ])
    func unopenableOutput(kind: String) throws {
        let dir = ScratchDirectory.make("out").path
        let clip = try Self.clip(dir, frames: 5)
        let output: String
        let reason: String
        switch kind {
        case "directory":
            try FileManager.default.createDirectory(atPath: "\(dir)/d.jsonl", withIntermediateDirectories: false)
            output = "[output.file]\npath = \"\(dir)/d.jsonl\""
            reason = "output.file.path: \(dir)/d.jsonl is a directory, not a regular file"
        case "missing directory":
            output = "[output.file]\npath = \"\(dir)/nowhere/d.jsonl\""
            reason = "output.file.path: directory \(dir)/nowhere: No such file or directory"
        case "per_stream on a file":
            FileManager.default.createFile(atPath: "\(dir)/plain", contents: Data())
            output = "[output.file]\npath = \"\(dir)/plain\"\nper_stream = true"
            reason = "output.file.path: \(dir)/plain is not a directory"
        default:
            #expect(mkfifo("\(dir)/fifo.jsonl", 0o644) == 0)
            output = "[output.file]\npath = \"\(dir)/fifo.jsonl\""
            reason = "output.file.path: \(dir)/fifo.jsonl is a FIFO, not a regular file"
        }
        let config = try Self.config(dir, clip: clip, extra: output)
        for command in [["config", "check", config], ["run", "--config", config]] {
            let start = Date()
            let result = try BinaryRunner.run(command)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("\(config): \(reason)"), "\(command): \(result.stderr)")
            #expect(Date().timeIntervalSince(start) < 30, "\(command) must not hang")
        }
    }

    @Test(
        "what `run` rejects, `config check` rejects, with the file's own key names",
        arguments: [
            ("[tracker]\niou_threshold = 0", "tracker.iou_threshold: must be above 0 and at most 1, got 0.0"),
            (
                "[output.file]\npath = \"/tmp/x.jsonl\"\nrotate_seconds = 0.0001",
                "output.file.rotate_seconds: must be 0 (never) or at least 1 second, got 0.0001"
            ),
            ("[output.socket]\npath = \"/tmp/\(String(repeating: "s", count: 105))\"", "output.socket.path: must be a path of 1 to 107 bytes"),
            ("[output.file]\npath = \"/tmp/x.jsonl\"\nmode = \"0999\"", "output.file.mode: expected an octal file mode such as \"0640\", got '0999'"),
            ("[state]\ndir = \"\"", "state.dir: must not be empty"),
        ])
    func configCheckMatchesRun(extra: String, message: String) throws {
        let dir = ScratchDirectory.make("cfg").path
        let config = try Self.config(dir, clip: "\(dir)/none.mp4", extra: extra)
        for command in [["config", "check", config], ["run", "--config", config]] {
            let result = try BinaryRunner.run(command)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("\(config): \(message)"), "\(command): \(result.stderr)")
        }
    }

    @Test("output files are created 0640 whatever the umask, with the configured mode and group")
    func fileModes() throws {
        let dir = ScratchDirectory.make("mode").path
        let clip = try Self.clip(dir, frames: 3)
        for (extra, mode, group) in [("", 0o640, nil), ("mode = \"0600\"\ngroup = \"nogroup\"", 0o600, "nogroup")] as [(String, Int, String?)] {
            let out = "\(dir)/out-\(mode).jsonl"
            let config = try Self.config(dir, clip: clip, extra: "[output.file]\npath = \"\(out)\"\n\(extra)")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "umask 000; exec \"$0\" run --config \"$1\"", BinaryRunner.binary.path, config]
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let attributes = try FileManager.default.attributesOfItem(atPath: out)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == mode)
            if let group {
                #expect(attributes[.groupOwnerAccountName] as? String == group)
            }
            #expect(DaemonHarness.lines(out).complete.count >= 3)
        }
    }

    @Test("a stream whose model is bad fails alone (a stream record says why); the others run; exit 0")
    func badModelFailsOneStream() throws {
        let dir = ScratchDirectory.make("badmodel").path
        let clip = try Self.clip(dir, frames: 10)
        // A safetensors header claiming more bytes than the file has.
        var bad = Data([0xFF, 0xFF, 0, 0, 0, 0, 0, 0])
        bad.append(Data("{}".utf8))
        FileManager.default.createFile(atPath: "\(dir)/bad.safetensors", contents: bad)
        let config = try Self.config(
            dir, clip: clip,
            extra: """
                [[streams]]
                name = "g"
                url = "\(clip)"
                model = "\(dir)/bad.safetensors"
                [output.file]
                path = "\(dir)/out.jsonl"
                """)
        let result = try BinaryRunner.run(["run", "--config", config])
        #expect(result.status == 0, "\(result.stderr)")
        let records = DaemonHarness.lines("\(dir)/out.jsonl").complete.compactMap(DaemonHarness.json)
        #expect(records.filter { $0["kind"] as? String == "frame" && $0["stream"] as? String == "f" }.count == 10)
        #expect(records.filter { $0["kind"] as? String == "frame" && $0["stream"] as? String == "g" }.isEmpty)
        let failed = records.first { $0["kind"] as? String == "stream" && $0["stream"] as? String == "g" }
        #expect(failed?["state"] as? String == "ended")
        #expect(
            (failed?["message"] as? String)?.hasPrefix(
                "model failed: \(dir)/bad.safetensors: '\(dir)/bad.safetensors' is not a valid safetensors file: header length 65535 reaches past the end of the 10-byte file"
            ) == true, "\(failed ?? [:])")
        #expect(result.stderr.contains("model failed to load"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/ssdd.sock"))
    }

    @Test("only bad models: status 1 naming the model, nothing left behind")
    func onlyBadModels() throws {
        let dir = ScratchDirectory.make("onlybad").path
        let clip = try Self.clip(dir, frames: 3)
        FileManager.default.createFile(atPath: "\(dir)/bad.safetensors", contents: Data("garbage".utf8))
        let config = try Self.config(dir, clip: clip, extra: "[output.socket]\npath = \"\(dir)/s.sock\"", model: "\(dir)/bad.safetensors")
        let result = try BinaryRunner.run(["run", "--config", config])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "model.path: \(dir)/bad.safetensors: '\(dir)/bad.safetensors' is not a safetensors file: it has 7 bytes, fewer than the 8-byte header length"
            ),
            "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/s.sock"), "no socket file left behind")
    }

    @Test("SIGKILL and restart: a file stream resumes after its last durable frame; once complete it is not read again")
    func crashAndResume() throws {
        let dir = ScratchDirectory.make("resume").path
        let total = 600
        let clip = try Self.clip(dir, frames: total)
        let out = "\(dir)/out.jsonl"
        let config = try Self.config(
            dir, clip: clip,
            extra: """
                [workers]
                count = 1
                queue = 4
                [output.file]
                path = "\(out)"
                [state]
                dir = "\(dir)/state"
                """)
        func frames() -> [Int] {
            DaemonHarness.lines(out).complete.compactMap(DaemonHarness.json)
                .filter { $0["kind"] as? String == "frame" }.compactMap { $0["frame"] as? Int }
        }
        func state() -> [String: Any]? {
            FileManager.default.contents(atPath: "\(dir)/state/f.resume.json").flatMap { DaemonHarness.json(String(decoding: $0, as: UTF8.self)) }
        }
        var resumePoints: [Int] = []
        for kill in 0..<2 {
            let daemon = try LaunchedDaemon(directory: dir, configPath: config)
            // Kill right after a checkpoint covered at least 100 more frames (checkpoints come every second).
            let target = 100 * (kill + 1)
            #expect(DaemonHarness.wait(seconds: 120) { (state()?["frame"] as? Int ?? -1) >= target }, "state: \(state() ?? [:])")
            daemon.send(SIGKILL)
            #expect(daemon.waitForExit(seconds: 30))
            #expect(daemon.terminationReason == .uncaughtSignal)
            let point = try #require(state()?["frame"] as? Int)
            resumePoints.append(point)
            #expect(frames().contains(point), "the resume point names a frame that is in the file")
        }
        let finish = try BinaryRunner.run(["run", "--config", config])
        #expect(finish.status == 0, "\(finish.stderr)")
        let all = frames()
        #expect(Set(all) == Set(0..<total), "every frame is written")
        // At-least-once: only frames written after the last checkpoint before each kill repeat (a second's worth at
        // most, a few dozen), where a restart from frame 0 would have repeated every frame written before each kill
        // (> 300).
        let repeats = all.count - Set(all).count
        #expect(repeats < 100, "repeated frame lines: \(repeats); resume points \(resumePoints)")
        #expect(state()?["complete"] as? Bool == true)
        #expect(state()?["frame"] as? Int == total - 1)

        // Complete: a restart reads nothing and says why.
        let again = try BinaryRunner.run(["run", "--config", config])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(frames().count == all.count)
        let last = DaemonHarness.lines(out).complete.last.flatMap(DaemonHarness.json)
        #expect((last?["message"] as? String)?.hasPrefix("already processed") == true, "\(last ?? [:])")
    }
}
