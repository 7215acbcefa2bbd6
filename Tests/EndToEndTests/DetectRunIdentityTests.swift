import Foundation
import TestSupport
import Testing

/// `ssdd detect X` and `ssdd run` with X as a file stream share one pipeline and one record encoder: their frame
/// records are the same bytes once `time` (the wall-clock decode time) is removed — also when detect infers two frames
/// at once (`--threads 2`: two workers) and when one frame gets both threads (`--threads 2 --workers 1`).
@Suite("ssdd detect and ssdd run write the same frame records")
struct DetectRunIdentityTests {
    /// Runs the binary in `directory` and returns its status, stdout and stderr.
    static func run(_ arguments: [String], in directory: String) throws -> BinaryRunner.Result {
        let process = Process()
        process.executableURL = BinaryRunner.binary
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = "\(directory)/stdout-\(UUID().uuidString)"
        let err = "\(directory)/stderr-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        process.waitUntilExit()
        return BinaryRunner.Result(
            status: process.terminationStatus, stdout: try String(contentsOfFile: out, encoding: .utf8),
            stderr: try String(contentsOfFile: err, encoding: .utf8))
    }

    /// The frame lines of `text`, each without its `"time"` field (keys are sorted: `"time"` is never last).
    static func frameLines(_ text: String) throws -> [String] {
        let time = try Regex(#""time":-?[0-9.eE+-]+,"#)
        return text.split(separator: "\n").map(String.init).filter { $0.contains(#""kind":"frame""#) }
            .map { $0.replacing(time, with: "") }
    }

    @Test(
        "samples/person.mp4 with the same every and threshold: detect's frame lines equal the daemon's but for time",
        arguments: [
            (every: 2, threshold: "0.4", threads: ["1"]), (every: 1, threshold: "0.5", threads: ["2"]),
            (every: 1, threshold: "0.5", threads: ["2", "--workers", "1"]),
        ])
    func sameBytes(every: Int, threshold: String, threads: [String]) throws {
        let dir = ScratchDirectory.make("identity").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let sample = BinaryRunner.packageRoot.appendingPathComponent("samples/person.mp4").path
        try? FileManager.default.removeItem(atPath: "\(dir)/person.mp4")
        try FileManager.default.copyItem(atPath: sample, toPath: "\(dir)/person.mp4")
        let config = """
            [model]
            path = "\(DaemonTests.modelPath)"
            [workers]
            count = 1
            threads = 1
            [[streams]]
            name = "person.mp4"
            url = "person.mp4"
            every = \(every)
            threshold = \(threshold)
            [output.file]
            path = "\(dir)/run.jsonl"
            """
        try config.write(toFile: "\(dir)/ssdd.toml", atomically: true, encoding: .utf8)
        let daemon = try Self.run(["run", "--config", "ssdd.toml"], in: dir)
        #expect(daemon.status == 0, "\(daemon.stderr)")
        let detect = try Self.run(
            ["detect", "person.mp4", "--every", "\(every)", "--threshold", threshold, "--model", DaemonTests.modelPath, "--threads"]
                + threads, in: dir)
        #expect(detect.status == 0, "\(detect.stderr)")

        let fromRun = try Self.frameLines(try String(contentsOfFile: "\(dir)/run.jsonl", encoding: .utf8))
        let fromDetect = try Self.frameLines(detect.stdout)
        #expect(fromRun.count == 100 / every)
        #expect(fromDetect == fromRun)
        // Detect writes frame records only (by default), each with the daemon's fields.
        #expect(detect.stdout.split(separator: "\n").count == fromDetect.count)
        let first = try #require(DaemonHarness.json(detect.stdout.split(separator: "\n").first.map(String.init) ?? ""))
        #expect(Set(first.keys) == ["v", "kind", "stream", "frame", "pts", "time", "width", "height", "detections"])
        #expect(first["stream"] as? String == "person.mp4")
        // The clip shows people: some detections carry a confirmed track id.
        #expect(fromDetect.contains { $0.contains(#""track":1"#) })
    }
}
