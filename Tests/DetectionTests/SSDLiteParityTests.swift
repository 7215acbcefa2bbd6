import Detection
import Foundation
import Imaging
import MediaIO
import ModelImport
import ModelStore
import TensorEngine
import TestSupport
import Testing

/// Golden parity with TensorFlow 2.21 running the real person graph (fixtures by tools/tf_ssdlite_golden.py).
@Suite("SSDLite person graph: parity with TensorFlow", .serialized)
struct SSDLiteParityTests {
    struct Golden: Decodable {
        let image: String
        let width: Int
        let height: Int
        let num_detections: Double
        let detection_boxes: [[Float]]
        let detection_scores: [Float]
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The real graph, fetched by `make test` (scripts/fetch-model.sh) into models/.
    static var graphURL: URL {
        ProcessInfo.processInfo.environment["SSDD_TF_GRAPH"].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.appendingPathComponent("models/frozen_inference_graph.pb")
    }

    /// Imports the graph once per process into a temporary native model file. The suite is serialized, so the
    /// detector (confined to one thread at a time) is never used by two tests at once.
    nonisolated(unsafe) static let detector: Result<Detector, any Error> = Result {
        let url = ScratchDirectory.make("parity").appendingPathComponent("person.safetensors")
        try importModel(from: graphURL, to: url, labels: nil)
        return try Detector(model: ModelFile(contentsOf: url), options: DetectorOptions(threads: 2))
    }

    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/ssdlite"))
    }

    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: fixture(name))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// The input images exactly as the fixture script fed them to TensorFlow.
    static func image(_ name: String) throws -> RGBImage {
        switch name {
        case "gradient":
            return RGBImage(width: 640, height: 480) { x, y in (UInt8(x * 255 / 639), UInt8(y * 255 / 479), UInt8((x + y) * 7 % 256)) }
        case "hashnoise":
            return RGBImage(width: 640, height: 480) { x, y in
                func channel(_ c: UInt32) -> UInt8 {
                    var h = UInt32(truncatingIfNeeded: x) &* 2_654_435_761 &+ UInt32(y) &* 40503 &+ c &* 97 &+ 12345
                    h ^= h >> 15
                    h = h &* 2_246_822_519
                    h ^= h >> 13
                    h = h &* 3_266_489_917
                    h ^= h >> 16
                    return UInt8(h & 0xFF)
                }
                return (channel(0), channel(1), channel(2))
            }
        default:
            let reader = try VideoReader(input: "/usr/share/darknet/data/\(name).jpg")
            return try #require(try reader.nextFrame()).image
        }
    }

    static let images = ["person", "dog", "horses", "gradient", "hashnoise"]

    @Test("preprocessing (TF1 legacy resize, ×2/255 − 1) equals the graph's Preprocessor/sub")
    func preprocessing() throws {
        let detector = try Self.detector.get()
        let input = detector.preprocess(try Self.image("gradient"))
        let sampled = try Self.floats("gradient.preprocessed_sampled.f32")
        var worst: Float = 0
        var i = 0
        for y in stride(from: 0, to: 300, by: 13) {
            for x in stride(from: 0, to: 300, by: 13) {
                for c in 0..<3 {
                    worst = max(worst, abs(input[y, x, c] - sampled[i]))
                    i += 1
                }
            }
        }
        #expect(i == sampled.count)
        #expect(worst <= 1e-6, "max |Δ| \(worst)")
    }

    @Test("raw box encodings and class logits match TF to 1e-5 relative to magnitude", arguments: images)
    func rawOutputs(_ name: String) throws {
        let detector = try Self.detector.get()
        let raw = try detector.rawOutputs(detector.preprocess(try Self.image(name)))
        for (kind, ours, theirs) in [
            ("encodings", raw.regressions, try Self.floats("\(name).encodings.f32")), ("logits", raw.logits, try Self.floats("\(name).logits.f32")),
        ] {
            #expect(ours.count == theirs.count)
            let scale = max(1, theirs.map(abs).max() ?? 1)
            var worst: Float = 0
            var at = 0
            for (i, (a, b)) in zip(ours, theirs).enumerated() where abs(a - b) > worst {
                worst = abs(a - b)
                at = i
            }
            #expect(worst / scale <= 1e-5, "\(name) \(kind): max |Δ| \(worst) at \(at) (ours \(ours[at]), TF \(theirs[at])), magnitude \(scale)")
        }
    }

    @Test("final detections: same boxes in the same order, boxes and scores to 1e-5", arguments: images)
    func finalDetections(_ name: String) throws {
        let detector = try Self.detector.get()
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Self.fixture("\(name).json")))
        let candidates = try detector.candidates(for: detector.preprocess(try Self.image(name)))
        let count = Int(golden.num_detections)
        #expect(candidates.count == count)
        var boxError: Float = 0
        var scoreError: Float = 0
        for (i, c) in candidates.prefix(count).enumerated() {
            let want = golden.detection_boxes[i]
            boxError = max(boxError, abs(c.box.0 - want[0]), abs(c.box.1 - want[1]), abs(c.box.2 - want[2]), abs(c.box.3 - want[3]))
            scoreError = max(scoreError, abs(c.score - golden.detection_scores[i]))
        }
        #expect(boxError <= 1e-5, "\(name): max box error \(boxError)")
        #expect(scoreError <= 1e-5, "\(name): max score error \(scoreError)")
    }
}
