import Foundation
import TestSupport
import Testing

@Suite("ssdd detect and ssdd model, run as a binary with the default person model")
struct DetectCommandTests {
    static func temporary(_ name: String, _ contents: Data) throws -> String {
        let dir = ScratchDirectory.make("detect")
        let path = dir.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: contents)
        return path
    }

    @Test("darknet's person.jpg: one person, as TensorFlow finds it (score 0.99665)")
    func person() throws {
        let result = try BinaryRunner.run(["detect", "/usr/share/darknet/data/person.jpg", "--threshold", "0.3", "--model", DaemonTests.modelPath])
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(DaemonHarness.json(result.stdout.trimmingCharacters(in: .newlines)))
        #expect(line["v"] as? Int == 1 && line["kind"] as? String == "frame" && line["width"] as? Int == 640 && line["height"] as? Int == 424)
        // The daemon's frame record: the input as the stream name, frame 0, the decode time, a track id (null: one
        // frame cannot confirm a track).
        #expect(line["stream"] as? String == "/usr/share/darknet/data/person.jpg" && line["frame"] as? Int == 0)
        #expect((line["time"] as? Double).map { abs($0 - Date().timeIntervalSince1970) < 3600 } == true)
        let detections = try #require(line["detections"] as? [[String: Any]])
        #expect(detections.count == 1)
        #expect(detections.first?["track"] is NSNull)
        #expect(detections.first?["label"] as? String == "person")
        #expect(abs((detections.first?["score"] as? Double ?? 0) - 0.9966528) < 1e-5)
        let box = try #require(detections.first?["box"] as? [Double])
        // TF: ymin 0.23824725, xmin 0.28540894, ymax 0.8992431, xmax 0.42920437 of 640×424.
        let expected = [0.28540894 * 640, 0.23824725 * 424, 0.42920437 * 640, 0.8992431 * 424]
        #expect(zip(box, expected).allSatisfy { abs($0 - $1) < 0.02 }, "\(box) vs \(expected)")
    }

    @Test("every Nth frame of a video, one line each, frame indices and pts from the stream")
    func video() throws {
        let path = try Self.temporary("clip.mp4", Data())
        try DaemonHarness.makeClip(path, frames: 12)
        let result = try BinaryRunner.run(["detect", path, "--every", "4", "--model", DaemonTests.modelPath, "-o", path + ".jsonl"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = DaemonHarness.lines(path + ".jsonl").complete.compactMap(DaemonHarness.json)
        #expect(lines.compactMap { $0["frame"] as? Int } == [0, 4, 8])
        #expect(lines.compactMap { $0["pts"] as? Double } == [0, 0.16, 0.32])
    }

    @Test("a clip of a person: frames carry track ids once confirmed; --all-records adds the stream and track records")
    func tracksAndAllRecords() throws {
        let path = try Self.temporary("person.mp4", Data())
        try DaemonHarness.makeClip(path, frames: 8)
        let result = try BinaryRunner.run(["detect", path, "--model", DaemonTests.modelPath, "--all-records", "--threshold", "0.3"])
        #expect(result.status == 0, "\(result.stderr)")
        let records = result.stdout.split(separator: "\n").map(String.init).compactMap(DaemonHarness.json)
        let kinds = records.map { r in
            r["kind"] as? String == "frame" ? "frame" : "\(r["kind"] as? String ?? "?") \(r["state"] as? String ?? r["event"] as? String ?? "?")"
        }
        // Default tracker (min_hits 3): the woman's track is confirmed on the third frame; as in the daemon, the source's
        // `ended` record comes first, then the end of the stream ends the track.
        #expect(
            kinds == [
                "stream connected", "frame", "frame", "track start", "frame", "frame", "frame", "frame", "frame", "frame",
                "stream ended", "track end",
            ], "\(result.stdout)")
        let tracked = records.filter { $0["kind"] as? String == "frame" }.map { frame in
            (frame["detections"] as? [[String: Any]] ?? []).contains { $0["track"] as? Int == 1 }
        }
        #expect(tracked == [false, false, true, true, true, true, true, true])
    }

    @Test("--stats: the model's load time, then per input the frames written and frames/s, on stderr only")
    func stats() throws {
        let path = try Self.temporary("stats.mp4", Data())
        try DaemonHarness.makeClip(path, frames: 9)
        let result = try BinaryRunner.run(
            ["detect", path, path, "--every", "2", "--threads", "2", "--stats", "--model", DaemonTests.modelPath, "-o", path + ".jsonl"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("model person.safetensors loaded and compiled in ") == true, "\(result.stderr)")
        #expect(lines.first?.hasSuffix(" s (2 worker(s) × 1 thread(s), fp32)") == true, "\(result.stderr)")
        // Frames 0, 2, 4, 6, 8 of each input; the rate is positive and finite.
        for line in lines.dropFirst() {
            #expect(line.hasPrefix("\(path): 5 frames in "), "\(line)")
            let rate = line.split(separator: "=").last.flatMap { Double($0.split(separator: " ").first ?? "") }
            #expect(rate.map { $0 > 0 && $0.isFinite } == true, "\(line)")
        }
        #expect(DaemonHarness.lines(path + ".jsonl").complete.count == 10)
    }

    @Test("one failing input among several: its error on stderr, exit status 1, the others still processed in order")
    func oneFailingInput() throws {
        let image = "/usr/share/darknet/data/person.jpg"
        let result = try BinaryRunner.run([
            "detect", image, "/nonexistent/cam.mp4", "/usr/share/darknet/data/dog.jpg", "--model", DaemonTests.modelPath,
        ])
        #expect(result.status == 1)
        #expect(result.stderr == "ssdd: error: /nonexistent/cam.mp4: no such file\n")
        let streams = result.stdout.split(separator: "\n").map(String.init).compactMap(DaemonHarness.json).compactMap { $0["stream"] as? String }
        #expect(streams == [image, "/usr/share/darknet/data/dog.jpg"])
    }

    @Test(
        "bad inputs and models: a clear message and exit status 1",
        arguments: [
            (["detect", "/nonexistent/cam.mp4"], "/nonexistent/cam.mp4: no such file"),
            (["detect", "TEXT"], "TEXT: cannot decode the mjpeg stream: no frame size (not a valid image or video, or corrupt)"),
            (["detect", "/usr/share/darknet/data/dog.jpg", "--labels", "unicorn"], "label 'unicorn' is not one of the model's classes: person"),
            (
                ["detect", "/usr/share/darknet/data/dog.jpg", "--model", "/nonexistent/model.safetensors"],
                "cannot open '/nonexistent/model.safetensors': No such file or directory"
            ),
            (["model", "import", "GARBAGE", "-o", "OUT"], "is not a TensorFlow frozen graph (GraphDef protobuf)"),
            (
                ["model", "info", "GARBAGE"],
                "'GARBAGE' is not a valid safetensors file: header length 11939816448662631168 reaches past the end of the 4096-byte file"
            ),
        ])
    func failures(_ arguments: [String], _ message: String) throws {
        let text = try Self.temporary("notes.jpg", Data("this is not an image\n".utf8))
        let garbage = try Self.temporary("graph.pb", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }))
        let substitute = { (s: String) in
            s.replacingOccurrences(of: "TEXT", with: text).replacingOccurrences(of: "GARBAGE", with: garbage).replacingOccurrences(
                of: "OUT", with: garbage + ".safetensors")
        }
        var args = arguments.map(substitute)
        if args[0] == "detect" && !args.contains("--model") { args += ["--model", DaemonTests.modelPath] }
        let result = try BinaryRunner.run(args)
        #expect(result.status == 1, "\(args): \(result.stderr)")
        #expect(result.stderr.contains(substitute(message)), "\(args): \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"), "no crash")
    }
}
