import Detection
import Foundation
import Geometry
import Imaging
import ModelImport
import ModelStore
import NeuralNet
import TensorEngine
import TestSupport
import Testing

/// Golden parity with torchvision 0.29.2's `ssd300_vgg16` (fixtures by tools/torchvision_ssd_golden.py): the same
/// formula weights, regenerated here bit-exactly, and the same synthetic image.
///
/// Tolerances, a few times the measured error: default boxes 1e-6 relative (absolute below 1); resized input 1e-4
/// absolute; raw regressions max |Δ| ≤ 1.5e-5 × max |torch value| of the tensor, logits ≤ 1e-5 × theirs; final
/// detections the same labels and anchors in the same order, scores within 1e-5, boxes within 2e-3 px.
/// Measured (torch 2.15, 2 threads): input 2.3e-5; with direct convolutions regressions 1.5e-5 of 11.5, logits 8.6e-6
/// of 7.6, scores 1.3e-6, boxes 2.8e-4 px; with the default Winograd 3×3 layers regressions 4.6e-5 of 11.5 (4.0e-6 of
/// it), logits 1.8e-5 of 7.6 (2.4e-6), scores 2.4e-6, boxes 6.2e-4 px; 200 of 200 detections in the same order either
/// way. Measured again in a debug build on an AVX-512 machine (Winograd): input 2.29e-5, regressions 3.98e-5 (3.5e-6 of
/// 11.5), logits 2.22e-5 (2.9e-6 of 7.6), scores 2.6e-6, boxes 6.3e-4 px (300 frame) and 5.0e-4 px (source frame).
@Suite("SSD300-VGG16: parity with torchvision", .serialized)
struct TorchvisionParityTests {
    struct Golden: Decodable {
        struct Parameter: Decodable {
            let key: String
            let shape: [Int]
            let gain: Double
            let shift: Double
        }
        struct Input: Decodable {
            let shape: [Int]
            let sample_step: Int
            let sum: Double
            let sum_of_squares: Double
        }
        struct Detections: Decodable {
            let boxes300: [Float]
            let boxes: [Float]
            let scores: [Float]
            let labels: [Int]
            let anchors: [Int]
        }
        let parameters: [Parameter]
        let parameter_count: Int
        let input: Input
        let logit_rows: [Int]
        let detections: Detections
    }

    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/torchvision"))
    }

    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: fixture(name))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    static func golden() throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(contentsOf: fixture("golden.json")))
    }

    /// The script's image: 240×320, r = 255x/319, g = 255y/239, b = ((x/20 + y/20) mod 2)·200 + xy mod 55.
    static let image = RGBImage(width: 320, height: 240) { x, y in
        (UInt8(x * 255 / 319), UInt8(y * 255 / 239), UInt8((x / 20 + y / 20) % 2 * 200 + x * y % 55))
    }

    static let manifest = SSDVGG.manifest(.ssd300, labels: SSDVGG.torchvisionCOCOLabels, source: "torchvision parity")

    /// Largest |a − b|.
    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test("the weight formula's gains and shapes equal the script's (71 tensors, 35,641,826 values)")
    func formulaParameters() throws {
        let golden = try Self.golden()
        let ours = SSDVGG.parameterShapes(.ssd300, numClasses: 91)
        #expect(golden.parameters.map(\.key) == ours.map(\.name))
        #expect(golden.parameters.map(\.shape) == ours.map(\.shape))
        #expect(golden.parameter_count == 35_641_826)
        for parameter in golden.parameters {
            let (gain, shift) = TorchvisionWeightFormula.gainAndShift(key: parameter.key, shape: parameter.shape)
            #expect(Double(gain) == parameter.gain && Double(shift) == parameter.shift, "\(parameter.key)")
        }
    }

    @Test("default boxes equal torchvision's (8732, pixel xyxy) to 1e-6 relative")
    func defaultBoxes() throws {
        let expected = try Self.floats("anchors.f32")
        let anchors = try AnchorSet(Self.manifest.anchors, inputWidth: 300, inputHeight: 300)
        #expect(anchors.count == 8732)
        #expect(anchors.values.count == expected.count)
        let relative = zip(anchors.values, expected).map { abs($0 - $1) / max(1, abs($1)) }
        let worst = relative.indices.max { relative[$0] < relative[$1] } ?? 0
        let mismatches = relative.filter { $0 > 0 }.count
        // AnchorSet computes sizes from the config's decimal scales in double, as torchvision does with Python floats.
        #expect(relative[worst] <= 1e-6, "coordinate \(worst): \(anchors.values[worst]) vs \(expected[worst]); \(mismatches) not bit-equal")
    }

    @Test("normalise-then-resize equals torchvision's transform to 1e-4")
    func resizeParity() throws {
        let golden = try Self.golden()
        let detector = try Self.detector.get()
        let input = detector.preprocess(Self.image).values
        let step = golden.input.sample_step
        let sampled = try Self.floats("input_sampled.f32")
        var ours: [Float] = []
        for y in stride(from: 0, to: 300, by: step) {
            for x in stride(from: 0, to: 300, by: step) {
                ours += input[(y * 300 + x) * 3..<(y * 300 + x) * 3 + 3]
            }
        }
        #expect(Self.maxDifference(ours, sampled) <= 1e-4, "max |Δ| \(Self.maxDifference(ours, sampled))")
        let sum = input.reduce(0.0) { $0 + Double($1) }
        let squares = input.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(sum - golden.input.sum) <= 1e-6 * abs(golden.input.sum) + 1e-2, "sum \(sum) vs \(golden.input.sum)")
        #expect(abs(squares - golden.input.sum_of_squares) <= 1e-6 * golden.input.sum_of_squares)
    }

    @Test("raw regressions and logits equal torchvision's to 1.5e-5 and 1e-5 of their magnitude")
    func headParity() throws {
        let golden = try Self.golden()
        let detector = try Self.detector.get()
        let raw = try detector.rawOutputs(detector.preprocess(Self.image))
        let regressions = try Self.floats("bbox_regression.f32")
        #expect(raw.regressions.count == regressions.count)
        let regressionScale = regressions.map(abs).max() ?? 1
        let regressionError = Self.maxDifference(raw.regressions, regressions)
        #expect(regressionError <= 1.5e-5 * regressionScale, "regressions: max |Δ| \(regressionError), max |x| \(regressionScale)")
        let logits = try Self.floats("cls_logits_sampled.f32")
        let ours = golden.logit_rows.flatMap { raw.logits[$0 * 91..<($0 + 1) * 91] }
        let logitScale = logits.map(abs).max() ?? 1
        let logitError = Self.maxDifference(ours, logits)
        #expect(logitError <= 1e-5 * logitScale, "logits: max |Δ| \(logitError), max |x| \(logitScale)")
    }

    @Test("final detections: same labels and anchors in the same order, scores and boxes as torchvision's")
    func detectionParity() throws {
        let expected = try Self.golden().detections
        let detector = try Self.detector.get()
        let candidates = try detector.candidates(for: detector.preprocess(Self.image))
        #expect(candidates.map(\.classIndex) == expected.labels)
        #expect(candidates.map(\.anchor) == expected.anchors)
        #expect(Self.maxDifference(candidates.map(\.score), expected.scores) <= 1e-5)
        let boxes300 = candidates.flatMap { [$0.box.0, $0.box.1, $0.box.2, $0.box.3] }
        #expect(
            Self.maxDifference(boxes300, expected.boxes300) <= 2e-3, "300-frame boxes: max |Δ| \(Self.maxDifference(boxes300, expected.boxes300))")
        let detections = detector.detections(from: candidates, sourceWidth: 320, sourceHeight: 240)
        let boxes = detections.flatMap { [Float($0.box.x1), Float($0.box.y1), Float($0.box.x2), Float($0.box.y2)] }
        #expect(Self.maxDifference(boxes, expected.boxes) <= 2e-3, "source-frame boxes: max |Δ| \(Self.maxDifference(boxes, expected.boxes))")
    }

    @Test(
        "a torch-written full checkpoint imports with every tensor bit-equal to the formula (SSDD_TORCHVISION_PTH)",
        .enabled(if: ProcessInfo.processInfo.environment["SSDD_TORCHVISION_PTH"] != nil))
    func fullCheckpoint() throws {
        let url = URL(fileURLWithPath: try #require(ProcessInfo.processInfo.environment["SSDD_TORCHVISION_PTH"]))
        let model = try importTorchvisionCheckpoint(at: url)
        #expect(model.manifest == SSDVGG.manifest(.ssd300, labels: SSDVGG.torchvisionCOCOLabels, source: model.manifest.source))
        #expect(model.parameterCount == 35_641_826)
        for parameter in model.parameters {
            let (gain, shift) = TorchvisionWeightFormula.gainAndShift(key: parameter.name, shape: parameter.shape)
            let values = TorchvisionWeightFormula.values(key: parameter.name, count: parameter.values.count, gain: gain, shift: shift)
            #expect(values == parameter.values, "\(parameter.name)")
        }
    }

    /// The formula-weighted model, written once per process to a temporary native file and compiled (2 threads).
    nonisolated(unsafe) static let detector: Result<Detector, any Error> = Result {
        let url = ScratchDirectory.make("torchvision").appendingPathComponent("ssd300.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let parameters = SSDVGG.parameterShapes(.ssd300, numClasses: 91).map { name, shape in
            let (gain, shift) = TorchvisionWeightFormula.gainAndShift(key: name, shape: shape)
            return (name, shape, TorchvisionWeightFormula.values(key: name, count: shape.reduce(1, *), gain: gain, shift: shift))
        }
        try ModelFile.write(to: url, graph: SSDVGG.ssd300Graph(numClasses: 91), manifest: manifest, parameters: parameters)
        return try Detector(model: ModelFile(contentsOf: url), options: DetectorOptions(threads: 2))
    }
}

/// The golden script's deterministic weights (see tools/torchvision_ssd_golden.py), bit-exact in float32:
/// `h = FNV-1a-32(key)`, `x = fmix32(h ^ i·0x9E3779B1)`, `u = ((x >> 8) − 2²³) / 2²⁴`, `value = Float(u·gain) + shift`.
enum TorchvisionWeightFormula {
    static func fnv1a(_ key: String) -> UInt32 {
        key.utf8.reduce(0x811C_9DC5 as UInt32) { ($0 ^ UInt32($1)) &* 0x0100_0193 }
    }

    /// `count` values of tensor `key`.
    static func values(key: String, count: Int, gain: Float, shift: Float) -> [Float] {
        let h = fnv1a(key)
        return (0..<count).map { index in
            var x = h ^ (UInt32(truncatingIfNeeded: index) &* 0x9E37_79B1)
            x ^= x >> 16
            x = x &* 0x85EB_CA6B
            x ^= x >> 13
            x = x &* 0xC2B2_AE35
            x ^= x >> 16
            let u = Float(Int32(x >> 8) - (1 << 23)) / Float(1 << 24)
            // Two separately rounded float32 operations, as numpy does them (no fused multiply-add).
            let scaled = u * gain
            return scaled + shift
        }
    }

    /// He-uniform gain for 4-D weights (×2⁻⁶ for the first conv, ×2⁻¹ for the class heads), 8 and 20 for the L2Norm
    /// scale, 0.25 for biases.
    static func gainAndShift(key: String, shape: [Int]) -> (gain: Float, shift: Float) {
        if shape.count == 4 {
            let exponent: Double = key == "backbone.features.0.weight" ? -6 : key.hasPrefix("head.classification_head.") ? -1 : 0
            return (Float((24.0 / Double(shape[1] * shape[2] * shape[3])).squareRoot() * pow(2, exponent)), 0)
        }
        return key == "backbone.scale_weight" ? (8, 20) : (0.25, 0)
    }
}
