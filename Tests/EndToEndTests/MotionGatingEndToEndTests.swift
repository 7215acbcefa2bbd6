import Foundation
import TestSupport
import Testing

/// Motion gating with the release binary and the real person model: `ssdd detect --all-records` with and without
/// `--motion` on the same clips, compared.
@Suite("Motion gating end to end: ssdd detect --motion against an ungated run", .serialized)
struct MotionGatingEndToEndTests {
    /// Runs `ssdd detect INPUT --all-records` (with `--motion` when `motion`) into a file and parses it.
    static func detect(_ input: String, motion: Bool, output: String) throws -> DetectRun {
        let arguments = ["detect", input, "--all-records", "--model", DaemonTests.modelPath, "-o", output] + (motion ? ["--motion"] : [])
        let result = try BinaryRunner.run(arguments)
        #expect(result.status == 0, "ssdd \(arguments.joined(separator: " ")): \(result.stderr)")
        return try DetectRun(lines: String(contentsOfFile: output, encoding: .utf8))
    }

    /// One line for the test log (the figures the issue asks for).
    static func summary(_ name: String, ungated: DetectRun, gated: DetectRun) -> String {
        let percent = String(format: "%.1f", gated.inferredFraction * 100)
        return "\(name): \(gated.inferredFrames) of \(gated.frameCount) frames inferred (\(percent) %); tracks ungated "
            + "\(ungated.tracks.count), gated \(gated.tracks.count); unmatched \(ungated.unmatchedTracks(in: gated).count) / "
            + "\(gated.unmatchedTracks(in: ungated).count)"
    }

    @Test("60 s of a still scene with a person walking through for 10 s: at most 25 % inferred, the same tracks within ±2 frames")
    func stillSceneWithWalker() throws {
        let dir = ScratchDirectory.make("motion").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let clip = "\(dir)/still.mp4"
        try StillSceneClip.write(clip)
        let ungated = try Self.detect(clip, motion: false, output: "\(dir)/ungated.jsonl")
        let gated = try Self.detect(clip, motion: true, output: "\(dir)/gated.jsonl")
        print(Self.summary("still scene", ungated: ungated, gated: gated))
        #expect(ungated.frameCount == StillSceneClip.frameCount && gated.frameCount == StillSceneClip.frameCount)
        #expect(ungated.gatedFrames == 0)
        // The pasted person is found: a track within the walk.
        let walkers = ungated.tracks.filter { StillSceneClip.walk.contains($0.first) && StillSceneClip.walk.contains($0.last) }
        #expect(!walkers.isEmpty, "ungated tracks: \(ungated.tracks.map { ($0.id, $0.first, $0.last) })")
        #expect(gated.inferredFraction <= 0.25)
        // Not a run that infers nearly nothing: the walk itself is inferred.
        #expect(gated.inferredFrames >= StillSceneClip.walk.count / 2)
        let missing = ungated.unmatchedTracks(in: gated)
        let extra = gated.unmatchedTracks(in: ungated)
        #expect(missing.isEmpty, "ungated tracks without a gated match: \(missing.map { ($0.id, $0.first, $0.last) })")
        #expect(extra.isEmpty, "gated tracks without an ungated match: \(extra.map { ($0.id, $0.first, $0.last) })")
    }

    @Test("the sample clip (a camera pan: everything moves): most frames are still inferred, the same tracks within ±2 frames")
    func movingSample() throws {
        let dir = ScratchDirectory.make("motion-sample").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let sample = BinaryRunner.packageRoot.appendingPathComponent("samples/person.mp4").path
        let ungated = try Self.detect(sample, motion: false, output: "\(dir)/ungated.jsonl")
        let gated = try Self.detect(sample, motion: true, output: "\(dir)/gated.jsonl")
        print(Self.summary("samples/person.mp4", ungated: ungated, gated: gated))
        #expect(gated.frameCount == ungated.frameCount && gated.frameCount > 0)
        #expect(gated.inferredFraction > 0.5)
        #expect(!ungated.tracks.isEmpty)
        #expect(ungated.unmatchedTracks(in: gated).isEmpty && gated.unmatchedTracks(in: ungated).isEmpty)
    }
}
