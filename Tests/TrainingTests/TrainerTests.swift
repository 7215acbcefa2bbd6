import Detection
import Evaluation
import Foundation
import Geometry
import ModelStore
import NeuralNet
import TensorEngine
import TestSupport
import Testing

@testable import Training

/// Tiny synthetic detection data made in the test: 1–2 filled squares per image on a noisy background, class 1 bright
/// in the red channel, class 2 bright in the blue channel; values already in the network's [−1, 1] range.
struct SquaresSource: TrainingBatchSource {
    let size: Int
    let seed: UInt64

    func batch(iteration: Int, size batchSize: Int) throws -> [TrainingSample] {
        (0..<batchSize).map { sample(UInt64(iteration * batchSize + $0)) }
    }

    func sample(_ index: UInt64) -> TrainingSample {
        var random = SeededGenerator(seed: seed &* 1_000_003 &+ index)
        var values = (0..<(size * size * 3)).map { _ in -0.6 + 0.15 * random.nextGaussian() }
        var boxes: [Float] = [], labels: [Int] = []
        for _ in 0..<Int.random(in: 1...2, using: &random) {
            let side = Int.random(in: (size / 5)...(size / 2), using: &random)
            let x0 = Int.random(in: 0...(size - side), using: &random), y0 = Int.random(in: 0...(size - side), using: &random)
            let label = Int.random(in: 1...2, using: &random)
            for y in y0..<(y0 + side) {
                for x in x0..<(x0 + side) {
                    let pixel = (y * size + x) * 3
                    values[pixel] = label == 1 ? 0.9 : -0.2
                    values[pixel + 1] = 0.1
                    values[pixel + 2] = label == 2 ? 0.9 : -0.2
                }
            }
            boxes += [Float(x0), Float(y0), Float(x0 + side), Float(y0 + side)]
            labels.append(label)
        }
        return TrainingSample(image: Tensor(shape: [size, size, 3], values: values), boxes: boxes, labels: labels)
    }
}

@Suite struct TrainerTests {
    static let configuration = SmallSSD.Configuration(inputSize: 64, widths: [8, 16, 16, 24, 24, 24], labels: ["background", "red", "blue"])

    private func makeTrainer(iterations: Int, frozen: FrozenParameters = .none, checkpoint: URL? = nil) throws -> Trainer {
        let graph = SmallSSD.graph(Self.configuration)
        let parameters = try ParameterInitializer.initialize(graph, scheme: .heNormal, seed: 1)
        let schedule = LearningRateSchedule(baseRate: 0.01, warmupIterations: 5, milestones: [30])
        return try Trainer(
            graph: graph, manifest: SmallSSD.manifest(Self.configuration, source: "test"), parameters: parameters,
            configuration: TrainerConfiguration(
                iterations: iterations, batchSize: 8, schedule: schedule, frozen: frozen, threads: 2, progressInterval: 5,
                checkpointURL: checkpoint))
    }

    private func temporaryFile(_ name: String) -> URL {
        ScratchDirectory.make("trainer").appendingPathComponent(name)
    }

    /// VOC07 mAP50 of the trainer's current weights on 24 held-out squares images (seed 99), through the product's
    /// own `Detector` (decoding, softmax, NMS).
    private func heldOutMAP(_ trainer: Trainer) throws -> Double {
        let url = temporaryFile("eval.safetensors")
        try trainer.saveCheckpoint(to: url, includeTrainingState: false)
        let detector = try Detector(model: ModelFile(contentsOf: url), options: DetectorOptions(threads: 2))
        let source = SquaresSource(size: 64, seed: 99)
        var objects: [GroundTruthObject] = [], detections: [ScoredDetection] = []
        let names = ["background", "red", "blue"]
        for index in 0..<24 {
            let sample = source.sample(UInt64(index))
            let id = "\(index)"
            for (k, label) in sample.labels.enumerated() {
                let b = sample.boxes[(4 * k)..<(4 * k + 4)].map(Double.init)
                // VOC evaluation counts +1 pixel areas: give it 1-based inclusive corners.
                objects.append(GroundTruthObject(imageID: id, label: names[label], box: Box(x1: b[0] + 1, y1: b[1] + 1, x2: b[2], y2: b[3])))
            }
            for c in try detector.candidates(for: sample.image) {
                let d = detector.detections(from: [c], sourceWidth: 64, sourceHeight: 64)[0]
                detections.append(
                    ScoredDetection(
                        imageID: id, label: d.label, score: Double(d.score), box: Box(x1: d.box.x1 + 1, y1: d.box.y1 + 1, x2: d.box.x2, y2: d.box.y2))
                )
            }
        }
        let truth = GroundTruthSet(images: (0..<24).map { "\($0)" }, labels: ["red", "blue"], objects: objects)
        return try VOCEvaluator().evaluate(detections, groundTruth: truth).meanAveragePrecision
    }

    /// A shortened from-scratch run: the mean loss of the last report is below 0.6 × the first.
    @Test func lossFallsOnSyntheticSquares() throws {
        let trainer = try makeTrainer(iterations: 40)
        var lines: [String] = []
        let summary = try trainer.train(source: SquaresSource(size: 64, seed: 3)) { lines.append($0.line) }
        let first = try #require(summary.reports.first).loss, last = try #require(summary.reports.last).loss
        #expect(summary.steps == 40 && summary.images == 320 && summary.reports.count == 8)
        #expect(last < 0.6 * first, "loss \(first) → \(last)\n\(lines.joined(separator: "\n"))")
    }

    /// A longer (still short) run: detections on held-out images improve, measured as VOC07 mAP50 through `Detector`;
    /// the bound is the measured value less a margin, not a token gain.
    @Test func detectionsImproveOnHeldOutImages() throws {
        let graph = SmallSSD.graph(Self.configuration)
        let trainer = try Trainer(
            graph: graph, manifest: SmallSSD.manifest(Self.configuration, source: "test"),
            parameters: try ParameterInitializer.initialize(graph, scheme: .heNormal, seed: 1),
            configuration: TrainerConfiguration(
                iterations: 160, batchSize: 8, schedule: LearningRateSchedule(baseRate: 0.02, warmupIterations: 10, milestones: [130]),
                threads: 2, progressInterval: 40))
        let before = try heldOutMAP(trainer)
        _ = try trainer.train(source: SquaresSource(size: 64, seed: 3)) { _ in }
        let after = try heldOutMAP(trainer)
        // Measured (seeded, 2 threads, debug build, AVX-512 machine): 0.00333 → 0.04166 after these 160 iterations, the
        // same as recorded before (0.003 → 0.042). The README's 0.83 is another run (`ssdd train`, 1200 iterations,
        // release build), too long for CI. The bars leave about 15 % for the summation-order differences of other CPUs'
        // kernels: the untrained model finds nothing, the trained one at least 0.035.
        #expect(before <= 0.01, "held-out mAP50 before training: \(before)")
        #expect(after >= 0.035, "held-out mAP50 \(before) → \(after)")
    }

    /// Two steps, a checkpoint, a resumed trainer and two more steps give the same weights as four steps in one go.
    @Test func resumeFromCheckpointMatchesUninterruptedRun() throws {
        let source = SquaresSource(size: 64, seed: 4)
        let straight = try makeTrainer(iterations: 4)
        _ = try straight.train(source: source)
        let url = temporaryFile("resume.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let first = try makeTrainer(iterations: 2, checkpoint: url)
        _ = try first.train(source: source)
        var configuration = straight.configuration
        configuration.iterations = 4
        let resumed = try Trainer(checkpoint: url, configuration: configuration)
        #expect(resumed.iteration == 2)
        let summary = try resumed.train(source: source)
        #expect(summary.steps == 2)
        #expect(resumed.parameters == straight.parameters)
        // The checkpoint is also a loadable model.
        let model = try ModelFile(contentsOf: url)
        #expect(model.graph == straight.graph)
    }

    /// Fine-tuning with a frozen backbone changes only the heads.
    @Test func frozenBackboneStaysExactlyEqual() throws {
        let trainer = try makeTrainer(iterations: 3, frozen: FrozenParameters(prefixes: ["backbone."]))
        let before = trainer.parameters
        _ = try trainer.train(source: SquaresSource(size: 64, seed: 5))
        for name in before.orderedNames {
            if name.hasPrefix("backbone.") {
                #expect(trainer.parameters[name]! == before[name]!, "\(name) changed")
            } else if name.hasSuffix(".weight") {
                #expect(trainer.parameters[name]! != before[name]!, "\(name) did not change")
            }
        }
    }

    /// A bad configuration is refused with a message naming the setting.
    @Test func invalidConfigurationIsRefused() throws {
        let graph = SmallSSD.graph(Self.configuration)
        #expect(throws: TrainerError.invalidConfiguration("batch size must be at least 1 (got 0)")) {
            try Trainer(
                graph: graph, manifest: SmallSSD.manifest(Self.configuration, source: "test"), parameters: ParameterSet(),
                configuration: TrainerConfiguration(iterations: 1, batchSize: 0))
        }
    }
}
