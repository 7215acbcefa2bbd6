import Foundation
import ModelStore
import TensorEngine
import Testing

@testable import Training

/// Fine-tuning the imported TF SSDLite person model (sigmoid scoring, y-first TF box coder): the heads learn, the
/// frozen backbone does not move.
@Suite struct FineTuneSSDLiteTests {
    /// `SSDD_MODEL` (set by `make test`) or `<package root>/models/person.safetensors`.
    static var modelPath: String {
        ProcessInfo.processInfo.environment["SSDD_MODEL"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("models/person.safetensors").path
    }

    /// The TF graph's backbone scope; the heads are `BoxPredictor_0…5/…` (ssd.md §7.3–7.4).
    static let backbone = "FeatureExtractor/"

    /// The same two 300×300 images every step: a noisy grey background with one person-sized (tall) box.
    struct PersonBoxes: TrainingBatchSource {
        let size: Int

        func batch(iteration: Int, size batchSize: Int) throws -> [TrainingSample] {
            (0..<batchSize).map { sample($0 % 2) }
        }

        func sample(_ index: Int) -> TrainingSample {
            var random = SeededGenerator(seed: 11 + UInt64(index))
            var values = (0..<(size * size * 3)).map { _ in -0.2 + 0.1 * random.nextGaussian() }
            let box = index == 0 ? (x0: 110, y0: 50, x1: 180, y1: 250) : (x0: 40, y0: 90, x1: 120, y1: 280)
            for y in box.y0..<box.y1 {
                for x in box.x0..<box.x1 {
                    let pixel = (y * size + x) * 3
                    values[pixel] = 0.6
                    values[pixel + 1] = y < box.y0 + (box.y1 - box.y0) / 5 ? 0.8 : -0.5
                    values[pixel + 2] = 0.1
                }
            }
            return TrainingSample(
                image: Tensor(shape: [size, size, 3], values: values),
                boxes: [Float(box.x0), Float(box.y0), Float(box.x1), Float(box.y1)], labels: [1])
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: modelPath), "needs models/person.safetensors (make model)"))
    func headsLearnBackboneStaysFrozen() throws {
        let model = try ModelFile(contentsOf: URL(fileURLWithPath: Self.modelPath))
        #expect(model.manifest.scoring == .sigmoid && model.manifest.labels == ["background", "person"])
        let initial = try ParameterSet(copying: model)
        let frozenNames = initial.orderedNames.filter { $0.hasPrefix(Self.backbone) }
        let headNames = initial.orderedNames.filter { $0.hasPrefix("BoxPredictor_") }
        #expect(!frozenNames.isEmpty && !headNames.isEmpty && frozenNames.count + headNames.count == initial.orderedNames.count)
        let trainer = try Trainer(
            graph: model.graph, manifest: model.manifest, parameters: initial,
            configuration: TrainerConfiguration(
                iterations: 3, batchSize: 2, schedule: LearningRateSchedule(baseRate: 0.002), weightDecay: 0,
                frozen: FrozenParameters(prefixes: [Self.backbone]), threads: 2, progressInterval: 1))
        let source = PersonBoxes(size: model.manifest.preprocessing.inputWidth)
        let batch = try source.batch(iteration: 0, size: 2)
        let before = try trainer.gradients(for: batch).loss
        #expect(before.positives > 0)
        let summary = try trainer.train(source: source)
        let after = try trainer.gradients(for: batch).loss
        #expect(summary.steps == 3)
        #expect(after.total < before.total, "loss \(before.total) → \(after.total); reports \(summary.reports.map(\.loss))")
        for name in frozenNames {
            #expect(trainer.parameters[name]!.values == initial[name]!.values, "\(name) moved")
        }
        #expect(headNames.contains { trainer.parameters[$0]!.values != initial[$0]!.values }, "no head weight changed")
    }
}
