import Foundation
import Imaging
import MediaIO
import TestSupport
import Testing

@Suite("ssdd probe, run as a binary")
struct ProbeCommandTests {
    @Test("prints one JSON object with the stream's facts")
    func probeFixture() throws {
        let dir = ScratchDirectory.make("probe")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("clip.mp4").path
        let writer = try VideoWriter(path: path, codec: .h264, width: 96, height: 64, framesPerSecond: 10)
        for i in 0..<30 { try writer.append(RGBImage(width: 96, height: 64) { x, y in (UInt8((x + i) % 256), UInt8(y * 3), 90) }) }
        try writer.finish()

        let result = try BinaryRunner.run(["probe", path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let probe = try JSONDecoder().decode(MediaProbe.self, from: Data(lines[0].utf8))
        #expect(probe.codec == "h264" && probe.container.contains("mp4"))
        #expect(probe.width == 96 && probe.height == 64)
        #expect(probe.frameCount == 30 && probe.frameCountSource == "decoded")
        #expect(abs((probe.frameRate ?? 0) - 10) < 1e-9)
        #expect(abs((probe.duration ?? 0) - 3) < 1e-6)
        #expect(probe.errors.isEmpty)
    }

    @Test(
        "bad inputs: a clear message naming the input on stderr and exit status 1",
        arguments: [
            ("/nonexistent.mp4", "ssdd: error: /nonexistent.mp4: no such file"),
            ("/", "ssdd: error: /: is a directory, not a video file"),
            (
                "/etc/hostname",
                "ssdd: error: /etc/hostname: cannot open input: Invalid data found when processing input (not a video FFmpeg can read, or corrupt)"
            ),
        ])
    func badInput(_ input: String, _ message: String) throws {
        let result = try BinaryRunner.run(["probe", input])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == message + "\n")
    }
}
