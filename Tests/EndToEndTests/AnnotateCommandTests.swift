import Foundation
import Imaging
import MediaIO
import TestSupport
import Testing

/// `ssdd annotate` on the release binary: one run over samples/person.mp4 with `--every 2 --jsonl`, shared by every
/// assertion; the output is compared with the input frame by frame through MediaIO.
@Suite("ssdd annotate draws the detections into a copy of the video")
struct AnnotateCommandTests {
    struct Run {
        let output: String
        let input: String
        let result: BinaryRunner.Result
        /// The `--jsonl` frame records by frame index.
        let frames: [Int: [[String: Any]]]
    }

    // Unsafe: set once (lazily, thread-safely) and only read afterwards; Run holds JSON values, which are not Sendable.
    nonisolated(unsafe) static let run: Result<Run, any Error> = Result {
        let dir = ScratchDirectory.make("annotate").path
        let input = BinaryRunner.packageRoot.appendingPathComponent("samples/person.mp4").path
        let output = "\(dir)/annotated.mp4"
        let result = try BinaryRunner.run([
            "annotate", input, "-o", output, "--model", DaemonTests.modelPath, "--every", "2", "--jsonl", "\(dir)/lines.jsonl",
        ])
        var frames: [Int: [[String: Any]]] = [:]
        for line in DaemonHarness.lines("\(dir)/lines.jsonl").complete {
            guard let record = DaemonHarness.json(line), let index = record["frame"] as? Int else { continue }
            frames[index] = record["detections"] as? [[String: Any]] ?? []
        }
        return Run(output: output, input: input, result: result, frames: frames)
    }

    /// All frames of a video, decoded at their own size.
    static func frames(_ path: String) throws -> [RGBImage] {
        let reader = try VideoReader(input: path)
        var images: [RGBImage] = []
        while let frame = try reader.nextFrame() { images.append(frame.image) }
        return images
    }

    /// Over the pixels where `include` holds: the mean absolute channel difference, how many pixels there were, and
    /// how many differ by more than 80 in some channel (what a drawn stroke or caption does; codec noise hardly ever).
    static func meanDifference(_ a: RGBImage, _ b: RGBImage, include: (Int, Int) -> Bool) -> (mean: Double, count: Int, large: Int) {
        var sum = 0
        var count = 0
        var large = 0
        for y in 0..<a.height {
            for x in 0..<a.width where include(x, y) {
                let p = a[x, y], q = b[x, y]
                let d = (abs(Int(p.0) - Int(q.0)), abs(Int(p.1) - Int(q.1)), abs(Int(p.2) - Int(q.2)))
                sum += d.0 + d.1 + d.2
                count += 1
                if max(d.0, d.1, d.2) > 80 { large += 1 }
            }
        }
        return (count == 0 ? 0 : Double(sum) / Double(3 * count), count, large)
    }

    @Test("the output has the input's frame count, size and frame rate; --jsonl has detect's frame records for every 2nd frame")
    func sameShape() throws {
        let run = try Self.run.get()
        #expect(run.result.status == 0, "\(run.result.stderr)")
        let input = try MediaProbe.probe(run.input, decode: true)
        let output = try MediaProbe.probe(run.output, decode: true)
        #expect(output.frameCount == input.frameCount && output.frameCount == 100)
        #expect(output.width == input.width && output.height == input.height)
        #expect(output.frameRate == input.frameRate, "\(String(describing: output.frameRate)) vs \(String(describing: input.frameRate))")
        #expect(output.errors.isEmpty, "\(output.errors)")
        #expect(run.frames.count == 50 && run.frames.keys.allSatisfy { $0 % 2 == 0 })
        #expect(run.result.stdout.contains("100 frames, 480x360"))
    }

    @Test("box edges differ clearly from the input where the detections are (carried to the frames in between); elsewhere the frames match")
    func boxesWhereDetected() throws {
        let run = try Self.run.get()
        let input = try Self.frames(run.input)
        let output = try Self.frames(run.output)
        try #require(input.count == output.count && !input.isEmpty)
        var checkedBoxes = 0
        for index in stride(from: 0, to: input.count, by: 7) {
            // Frame `index` carries the boxes of the last detected frame at or before it (every 2nd frame).
            let detections = run.frames[index - index % 2] ?? []
            let boxes = detections.compactMap { $0["box"] as? [Double] }.map { $0.map { Int($0.rounded()) } }
            let (original, annotated) = (input[index], output[index])
            for box in boxes {
                // The 2-pixel coloured band just inside the box's left and right edges (the rows of its middle half).
                let rows = (box[1] + (box[3] - box[1]) / 4)..<(box[3] - (box[3] - box[1]) / 4)
                let band = Self.meanDifference(original, annotated) { x, y in
                    rows.contains(y) && ((x >= box[0] && x < box[0] + 2) || (x >= box[2] - 2 && x < box[2]))
                }
                #expect(band.count > 0 && band.mean > 25, "frame \(index) box \(box): edge differs by \(band.mean) on \(band.count) pixels")
                checkedBoxes += 1
            }
            // Away from every box and its caption (16-pixel margin for the codec's blocks), the pictures match.
            let excluded = boxes.map { b in (left: min(b[0], 480 - 100) - 16, top: b[1] - 30, right: max(b[2], b[0] + 100) + 16, bottom: b[3] + 16) }
            let rest = Self.meanDifference(original, annotated) { x, y in
                !excluded.contains { x >= $0.left && x < $0.right && y >= $0.top && y < $0.bottom }
            }
            #expect(rest.count > 10_000 && rest.mean < 4, "frame \(index): away from boxes the frames differ by \(rest.mean)")
            #expect(rest.large * 500 < rest.count, "frame \(index): \(rest.large) of \(rest.count) pixels away from boxes changed a lot")
        }
        #expect(checkedBoxes >= 5, "the sample shows a person in most frames")
    }

    @Test("--config FILE --stream NAME takes the stream's every and labels; a missing stream is named")
    func configuredStream() throws {
        let dir = ScratchDirectory.make("annotate-config").path
        let input = BinaryRunner.packageRoot.appendingPathComponent("samples/person.mp4").path
        let config = """
            [model]
            path = "\(DaemonTests.modelPath)"
            [[streams]]
            name = "door"
            url = "\(input)"
            every = 25
            labels = ["person"]
            threshold = 0.9
            """
        try config.write(toFile: "\(dir)/ssdd.toml", atomically: true, encoding: .utf8)
        let result = try BinaryRunner.run([
            "annotate", input, "-o", "\(dir)/out.mkv", "--config", "\(dir)/ssdd.toml", "--stream", "door", "--jsonl", "\(dir)/lines.jsonl",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = DaemonHarness.lines("\(dir)/lines.jsonl").complete.compactMap(DaemonHarness.json)
        #expect(lines.compactMap { $0["frame"] as? Int } == [0, 25, 50, 75])
        #expect(try MediaProbe.probe("\(dir)/out.mkv", decode: true).frameCount == 100)
        let missing = try BinaryRunner.run(["annotate", input, "-o", "\(dir)/x.mp4", "--config", "\(dir)/ssdd.toml", "--stream", "gate"])
        #expect(missing.status != 0 && missing.stderr.contains("no stream named 'gate' (streams: door)"), "\(missing.stderr)")
    }

    @Test("bad arguments: a missing input, the input as output, --config without --stream")
    func badArguments() throws {
        let run = try Self.run.get()
        let missing = try BinaryRunner.run(["annotate", "/nonexistent.mp4", "-o", "/tmp/x.mp4"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent.mp4"))
        let same = try BinaryRunner.run(["annotate", run.output, "-o", run.output, "--model", DaemonTests.modelPath])
        #expect(same.status != 0 && same.stderr.contains("is the input"))
        let lonely = try BinaryRunner.run(["annotate", run.input, "-o", "/tmp/x.mp4", "--config", "c.toml"])
        #expect(lonely.status != 0 && lonely.stderr.contains("--config and --stream go together"))
    }
}
