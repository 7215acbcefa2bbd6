import Detection
import Foundation
import Geometry
import ModelStore
import TestSupport
import Testing

@testable import ModelImport

/// A real torch-written checkpoint of torchvision's `ssd300_vgg16(num_classes=21)`, small enough to commit
/// (tools/torchvision_ssd_tiny_fixture.py: every large tensor is a strided view into its own 8192 or so random values, which is
/// what torch.save writes for such a view). It is imported by the native reader (with a raised read budget: the
/// product's refuses such an expansion, and a test checks that too), every tensor is checked against the values torch
/// loaded, and the imported model detects on the synthetic image as torchvision did.
///
/// Tolerances: tensor sums 1e-9 relative (the gathered values are exact; only the order of the sum differs), first
/// values exact; detections: the same 200, each with its label, its score within 1e-5 and its box within 2e-3 px (as in
/// the SSD300 parity test), in torchvision's order except where two scores are closer than 1e-5. One forward pass (a debug build runs SSD300 slowly; the raw-output parity is
/// TorchvisionParityTests' job; the fixture's JSON also records sampled raw outputs for diagnosis).
@Suite("A torch-written SSD300 checkpoint: imported and run like torchvision", .serialized)
struct TorchvisionCheckpointFixtureTests {
    struct Record: Decodable {
        struct Tensor: Decodable {
            let key: String
            let shape: [Int]
            let sum: Double
            let first: [Float]
        }
        struct Detections: Decodable {
            let boxes: [Float]
            let scores: [Float]
            let labels: [Int]
        }
        let torch: String
        let classes: Int
        let parameter_count: Int
        let tensors: [Tensor]
        let detections: Detections
    }

    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/torchvision"))
    }

    static func record() throws -> Record {
        try JSONDecoder().decode(Record.self, from: Data(contentsOf: fixture("ssd300_tiny.json")))
    }

    /// Bytes the import may materialise: the file's 26.3 M values (105 MB) come from 1.2 MB of storages through
    /// strided views, which is what the product's read budget (4 × the file + 16 MiB) exists to refuse.
    static let readLimit = 128 << 20

    /// The 21 class slots: background and the PASCAL VOC classes.
    static let labels = [
        "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable",
        "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ]

    /// The imported model, once per process.
    static let imported: Result<ImportedModel, any Error> = Result {
        try TorchvisionImporter(labels: labels).importCheckpoint(at: fixture("ssd300_tiny.pth"), readLimit: readLimit)
    }

    @Test("with the product's read budget the import is refused: 105 MB of values from a 1.2 MB file")
    func budgetRefusesTheExpansion() throws {
        let url = try Self.fixture("ssd300_tiny.pth")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        let error = #expect(throws: TorchCheckpointError.self) { try importTorchvisionCheckpoint(at: url, labels: Self.labels) }
        #expect(error?.description.hasPrefix("'\(url.path)': tensor '") == true, "\(String(describing: error))")
        #expect(error?.description.contains("than the \(4 * size + (16 << 20)) a \(size)-byte archive can justify in all") == true)
    }

    @Test("the file is small, and every tensor imports with torch's shape, values and order")
    func tensors() throws {
        let record = try Self.record()
        let size = try FileManager.default.attributesOfItem(atPath: try Self.fixture("ssd300_tiny.pth").path)[.size] as? Int
        #expect(try #require(size) < 2_000_000)
        let model = try Self.imported.get()
        #expect(model.manifest == SSDVGG.manifest(.ssd300, labels: Self.labels, source: model.manifest.source))
        #expect(Self.labels.count == record.classes)
        #expect(model.manifest.source.hasPrefix("ssd300_tiny.pth sha256 "))
        #expect(model.parameterCount == record.parameter_count)
        #expect(model.parameters.map(\.name) == record.tensors.map(\.key))
        for (parameter, expected) in zip(model.parameters, record.tensors) {
            #expect(parameter.shape == expected.shape, "\(expected.key)")
            #expect(Array(parameter.values.prefix(4)) == expected.first, "\(expected.key)")
            let sum = parameter.values.reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - expected.sum) <= 1e-9 * max(1, abs(expected.sum)), "\(expected.key): sum \(sum) vs torch \(expected.sum)")
        }
    }

    @Test("the imported model detects as torchvision does")
    func detections() throws {
        let record = try Self.record()
        let model = try Self.imported.get()
        let url = ScratchDirectory.make("tiny-pth").appendingPathComponent("ssd300_tiny.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ModelFile.write(to: url, graph: model.graph, manifest: model.manifest, parameters: model.parameters)
        let detector = try Detector(model: ModelFile(contentsOf: url), options: DetectorOptions(threads: 2))
        let input = detector.preprocess(TorchvisionParityTests.image)
        let candidates = try detector.candidates(for: input)
        let found = detector.detections(from: candidates, sourceWidth: 320, sourceHeight: 240)
        // Pair each of torchvision's detections with one of ours: the same label, the score within 1e-5, the box within
        // 2e-3 px, at the same rank or at a rank whose torchvision score is within 1e-5 of it (two detections whose
        // scores differ by less than the forward error may swap places; measured: one pair, 4.8e-7 apart).
        let expected = record.detections
        #expect(candidates.count == expected.labels.count && found.count == expected.labels.count)
        var unused = Set(candidates.indices)
        for k in expected.labels.indices {
            let box = Array(expected.boxes[(4 * k)..<(4 * k + 4)])
            let match = unused.sorted().first { (i: Int) -> Bool in
                guard i < expected.scores.count, i < found.count, abs(i - k) <= 8 else { return false }
                guard candidates[i].classIndex == expected.labels[k] else { return false }
                let scoreDifference: Float = abs(candidates[i].score - expected.scores[k])
                let rankScoreDifference: Float = abs(expected.scores[i] - expected.scores[k])
                let b = found[i].box
                let ours: [Float] = [Float(b.x1), Float(b.y1), Float(b.x2), Float(b.y2)]
                return scoreDifference <= 1e-5 && rankScoreDifference <= 1e-5 && TorchvisionParityTests.maxDifference(ours, box) <= 2e-3
            }
            guard let match else {
                Issue.record(
                    "torchvision's detection \(k) (label \(expected.labels[k]), score \(expected.scores[k]), box \(box)) has no match")
                continue
            }
            unused.remove(match)
        }
        let swapped = expected.labels.indices.filter { candidates.indices.contains($0) && candidates[$0].classIndex != expected.labels[$0] }
        #expect(swapped.count <= 4, "detections out of torchvision's order at ranks \(swapped)")
    }
}
