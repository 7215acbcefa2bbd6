import Foundation
import TestSupport
import Testing

/// `ssdd config check` over the configurations of a fleet: several files, `--fleet-prefix`.
@Suite("ssdd config check FILE… --fleet-prefix")
struct FleetCheckCommandTests {
    static func write(_ dir: String, _ name: String, streams: [String]) throws -> String {
        let clip = "\(dir)/clip.mp4"
        if !FileManager.default.fileExists(atPath: clip) { _ = FileManager.default.createFile(atPath: clip, contents: Data()) }
        var text = "[model]\npath = \"\(DaemonTests.modelPath)\"\n"
        for stream in streams { text += "[[streams]]\nname = \"\(stream)\"\nurl = \"\(clip)\"\n" }
        text += "[output.kafka]\nbrokers = [\"kafka-1.example:9092\"]\n"
        let path = "\(dir)/\(name).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("distinct names pass; a name in two files, or without the prefix, fails with status 1 naming file and key")
    func fleet() throws {
        let dir = ScratchDirectory.make("fleet").path
        let a = try Self.write(dir, "a", streams: ["hostA-door", "hostA-yard"])
        let b = try Self.write(dir, "b", streams: ["hostB-door"])
        let clash = try Self.write(dir, "clash", streams: ["hostB-gate", "hostA-yard"])

        let ok = try BinaryRunner.run(["config", "check", "--fleet-prefix", "host", a, b])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("fleet: ok — 3 stream name(s) in 2 file(s), all distinct, every one starting with 'host'"), "\(ok.stdout)")

        let twice = try BinaryRunner.run(["config", "check", a, b, clash])
        #expect(twice.status == 1)
        #expect(twice.stderr.contains("\(clash): streams[1].name: 'hostA-yard' is also a stream of \(a)"), "\(twice.stderr)")

        let prefix = try BinaryRunner.run(["config", "check", "--fleet-prefix", "hostA-", a, b])
        #expect(prefix.status == 1)
        #expect(prefix.stderr.contains("\(b): streams[0].name: 'hostB-door' does not start with the fleet prefix 'hostA-'"), "\(prefix.stderr)")
    }
}
