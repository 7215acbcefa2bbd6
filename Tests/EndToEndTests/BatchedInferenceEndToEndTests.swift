import Foundation
import TestSupport
import Testing

/// `[workers] max_batch` on the release binary and the real person model: one daemon run per setting over three file
/// streams of the sample clip, with one worker so frames of several streams wait together and form batches. The
/// frame records (all but their wall-clock `time`) must be identical: a batched forward pass gives bitwise the
/// single-frame outputs, and each stream stays in order.
@Suite("Batched inference, end to end", .serialized)
struct BatchedInferenceEndToEndTests {
    /// Frame records of one run, per stream, each without `time` and re-encoded with sorted keys.
    struct Run {
        var status: Int32
        var log: String
        var frames: [String: [String]]
    }

    // Unsafe: each set once (lazily, thread-safely) and only read afterwards.
    nonisolated(unsafe) static let single: Result<Run, any Error> = Result { try run(maxBatch: 1) }
    nonisolated(unsafe) static let batched: Result<Run, any Error> = Result { try run(maxBatch: 4) }

    static func run(maxBatch: Int) throws -> Run {
        let dir = ScratchDirectory.make("batch-\(maxBatch)").path
        let sample = BinaryRunner.packageRoot.appendingPathComponent("samples/person.mp4").path
        var config = """
            [model]
            path = "\(DaemonTests.modelPath)"
            [workers]
            count = 1
            threads = 1
            queue = 8
            max_batch = \(maxBatch)

            """
        for name in ["a", "b", "c"] { config += "[[streams]]\nname = \"\(name)\"\nurl = \"\(sample)\"\n" }
        config += "[output.file]\npath = \"\(dir)/out.jsonl\"\n"
        let daemon = try LaunchedDaemon(directory: dir, config: config)
        let exited = daemon.waitForExit(seconds: 600)
        var frames: [String: [String]] = [:]
        for line in DaemonHarness.lines("\(dir)/out.jsonl").complete {
            guard var record = DaemonHarness.json(line), record["kind"] as? String == "frame" else { continue }
            record["time"] = nil
            let stream = record["stream"] as? String ?? "?"
            let data = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
            frames[stream, default: []].append(String(decoding: data, as: UTF8.self))
        }
        return Run(status: exited ? daemon.terminationStatus : -1, log: daemon.log, frames: frames)
    }

    @Test("max_batch 4 writes the same frame records as max_batch 1, every stream complete and in order")
    func batchedEqualsSingle() throws {
        let single = try Self.single.get()
        let batched = try Self.batched.get()
        #expect(single.status == 0, "\(single.log)")
        #expect(batched.status == 0, "\(batched.log)")
        #expect(single.frames.keys.sorted() == ["a", "b", "c"])
        let sampleFrames = try #require(single.frames["a"]).count
        #expect(sampleFrames > 10, "the sample clip has frames")
        for stream in ["a", "b", "c"] {
            let want = single.frames[stream] ?? []
            let got = batched.frames[stream] ?? []
            #expect(got.count == want.count, "stream \(stream): \(got.count) frames, expected \(want.count)")
            if let index = zip(got, want).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                Issue.record("stream \(stream), record \(index): batched \(got[index]) vs single \(want[index])")
            }
        }
        // The sample shows a person: the comparison covers real detections, not only empty frames.
        #expect(single.frames["a"]?.contains { $0.contains("\"label\":\"person\"") } == true)
    }
}
