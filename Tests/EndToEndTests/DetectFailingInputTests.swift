import Foundation
import TestSupport
import Testing

/// `ssdd detect` over several inputs where one fails: the others are processed whole, the failure is named, status 1.
@Suite("ssdd detect with one failing input among several")
struct DetectFailingInputTests {
    @Test("a missing input between two clips: status 1, the error names it, every frame of both clips is printed")
    func oneFailingInput() throws {
        let dir = ScratchDirectory.make("detect-many").path
        let first = "\(dir)/first.mp4"
        let second = "\(dir)/second.mp4"
        let missing = "\(dir)/missing.mp4"
        try DaemonHarness.makeClip(first, frames: 6)
        try DaemonHarness.makeClip(second, frames: 4)
        let result = try BinaryRunner.run(["detect", first, missing, second, "--model", DaemonTests.modelPath])
        #expect(result.status == 1, "\(result.stderr)")
        let errors = result.stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("ssdd: error: ") }
        #expect(errors == ["ssdd: error: \(missing): no such file"], "\(result.stderr)")
        // Match the frame record's fields, not its bytes (detect and the daemon share one schema).
        let records = result.stdout.split(separator: "\n").map { DaemonHarness.json(String($0)) }
        #expect(records.allSatisfy { $0?["kind"] as? String == "frame" }, "\(result.stdout)")
        func frames(_ stream: String) -> [Int] {
            records.compactMap { $0 }.filter { $0["stream"] as? String == stream }.compactMap { $0["frame"] as? Int }
        }
        #expect(frames(first) == Array(0..<6))
        #expect(frames(second) == Array(0..<4))
        #expect(frames(missing).isEmpty)
        #expect(records.count == 10)
    }
}
