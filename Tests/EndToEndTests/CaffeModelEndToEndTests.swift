import Foundation
import TestSupport
import Testing

/// The MobileNet-SSD Caffe fixture (tools/caffe_ssd_fixtures.py) through the release binary: `ssdd model import`,
/// `ssdd model info`, `ssdd detect` on a photo against OpenCV DNN's detections, and `ssdd run` on the sample video.
@Suite("Caffe MobileNet-SSD through the binary: import, info, detect, run", .serialized)
struct CaffeModelEndToEndTests {
    /// The parts of the fixture's golden file this suite reads.
    struct Golden: Decodable {
        struct Detection: Decodable {
            let label: Int
            let score: Double
            let box: [Double]
        }
        struct Photo: Decodable {
            let path: String
            /// [width, height]
            let size: [Int]
            let detections: [Detection]
        }
        let net_name: String
        let recipe: [CaffeWeightRecipe]
        let photos: [Photo]
    }

    static let fixtures = BinaryRunner.packageRoot.appendingPathComponent("Tests/ModelImportTests/Fixtures/Caffe")
    static let prototxt = fixtures.appendingPathComponent("mobilenet_ssd_voc.prototxt").path

    /// Writes the fixture's caffemodel (from the weight recipe) and imports it with the binary, once per process.
    static let imported: Result<(model: String, golden: Golden), any Error> = Result {
        let golden = try JSONDecoder().decode(
            Golden.self, from: Data(contentsOf: fixtures.appendingPathComponent("mobilenet_ssd_voc.golden.json")))
        let directory = ScratchDirectory.make("caffe")
        let weights = directory.appendingPathComponent("mobilenet_ssd_voc.caffemodel")
        try CaffeModelWriter.data(netName: golden.net_name, layers: CaffeModelWriter.layers(recipes: golden.recipe)).write(to: weights)
        let model = directory.appendingPathComponent("mobilenet_ssd.safetensors").path
        // The two files in the other order than the README's, to cover recognition by content.
        let result = try BinaryRunner.run(["model", "import", weights.path, prototxt, "-o", model])
        guard result.status == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "import failed: \(result.stderr)"])
        }
        return (model, golden)
    }

    @Test("model info states the architecture, BGR input, mean and scale, OpenCV resize, priors and VOC labels")
    func info() throws {
        let model = try Self.imported.get().model
        let result = try BinaryRunner.run(["model", "info", model])
        #expect(result.status == 0, "\(result.stderr)")
        for expected in ["mobilenet_ssd_caffe", "300x300", "BGR", "127.5", "0.007843", "openCVLinear", "Caffe PriorBox, 6 levels", "tvmonitor"] {
            #expect(result.stdout.contains(expected), "model info lacks \(expected):\n\(result.stdout)")
        }
    }

    @Test("ssdd detect on dog.jpg reports OpenCV DNN's detections above 0.3: same labels in score order, scores, boxes")
    func detect() throws {
        let (model, golden) = try Self.imported.get()
        let photo = try #require(golden.photos.first { $0.path.hasSuffix("dog.jpg") })
        let threshold = 0.3
        let expected = photo.detections.filter { $0.score > threshold }.sorted { $0.score > $1.score }
        try #require(!expected.isEmpty && photo.detections.allSatisfy { abs($0.score - threshold) > 1e-4 }, "the fixture needs a clear threshold")
        let result = try BinaryRunner.run(["detect", photo.path, "--model", model, "--threshold", "\(threshold)"])
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(DaemonHarness.json(result.stdout.trimmingCharacters(in: .newlines)))
        let detections = try #require(line["detections"] as? [[String: Any]])
        #expect(detections.count == expected.count, "\(detections.count) detections, OpenCV \(expected.count)")
        let width = Double(photo.size[0])
        let height = Double(photo.size[1])
        for (ours, theirs) in zip(detections, expected) {
            #expect(ours["class"] as? Int == theirs.label)
            #expect(abs((ours["score"] as? Double ?? -1) - theirs.score) <= 1e-4)
            let box = try #require(ours["box"] as? [Double])
            let reference = [theirs.box[0] * width, theirs.box[1] * height, theirs.box[2] * width, theirs.box[3] * height]
            // The record rounds boxes to 0.01 px; OpenCV's boxes are unclipped, as the Caffe layer leaves them.
            #expect(zip(box, reference).allSatisfy { abs($0 - $1) <= 0.05 }, "\(box) vs \(reference)")
        }
    }

    @Test("ssdd run: two file streams of the sample video on the Caffe model, every frame written, clean exit")
    func daemon() throws {
        let model = try Self.imported.get().model
        let directory = ScratchDirectory.make("caffe-run")
        let output = directory.appendingPathComponent("out.jsonl").path
        let sample = BinaryRunner.packageRoot.appendingPathComponent("samples/person.mp4").path
        let config = directory.appendingPathComponent("ssdd.toml")
        try """
        [model]
        path = "\(model)"
        [[streams]]
        name = "all"
        url = "\(sample)"
        [[streams]]
        name = "half"
        url = "\(sample)"
        every = 2
        [output.file]
        path = "\(output)"
        """.write(to: config, atomically: true, encoding: .utf8)
        let result = try BinaryRunner.run(["run", "--config", config.path])
        #expect(result.status == 0, "\(result.stderr)")
        let records = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").compactMap { DaemonHarness.json(String($0)) }
        let frames = records.filter { $0["kind"] as? String == "frame" }
        let all = frames.filter { $0["stream"] as? String == "all" }.count
        let half = frames.filter { $0["stream"] as? String == "half" }.count
        #expect(all > 0 && half == (all + 1) / 2, "frames: all \(all), half \(half)")
        #expect(frames.allSatisfy { $0["detections"] is [[String: Any]] })
    }
}
