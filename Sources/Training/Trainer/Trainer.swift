import Detection
import Foundation
import ModelStore
import NeuralNet
import TensorEngine

/// Trains a detector described by a `NetworkGraph` and a `ModelManifest`: forward → head outputs flattened in
/// (level, y, x, anchor) order → the ``DetectionObjective`` of the manifest's scoring and its gradient → backward → ``SGD`` step.
///
/// Batches come from a ``TrainingBatchSource`` through a ``BatchPrefetcher`` thread. Progress goes to a callback (the
/// library never prints). Checkpoints are native model files with the same graph and manifest, plus the optimizer's
/// momentum buffers and the iteration, so ``init(checkpoint:configuration:)`` resumes exactly where a run stopped.
///
/// - Important: blocks while it trains; run it on a dedicated thread, never on Swift's cooperative pool.
public final class Trainer {
    public let graph: NetworkGraph
    public let manifest: ModelManifest
    public let configuration: TrainerConfiguration
    /// The current weights.
    public private(set) var parameters: ParameterSet
    /// Optimizer steps completed.
    public private(set) var iteration: Int
    public private(set) var optimizer: SGD
    let network: TrainableNetwork
    let anchors: AnchorSet
    private let layout: HeadLayout
    private let loss: DetectionObjective
    private let matcher = AnchorMatcher()
    private let encoder: BoxEncoder

    /// Name of the checkpoint tensor holding the iteration (a `[1]` float; exact below 2²⁴).
    public static let iterationTensor = "trainer.iteration"

    /// A trainer starting at iteration 0 from `parameters`.
    ///
    /// - Throws: ``TrainerError`` for an invalid configuration or graph; `DetectionError` when the manifest's anchors
    ///   or box coding are unusable or do not fit the heads.
    public init(graph: NetworkGraph, manifest: ModelManifest, parameters: ParameterSet, configuration: TrainerConfiguration) throws {
        if let reason = configuration.invalidReason { throw TrainerError.invalidConfiguration(reason) }
        self.graph = graph
        self.manifest = manifest
        self.configuration = configuration
        self.parameters = parameters
        self.iteration = 0
        self.optimizer = SGD(
            momentum: configuration.momentum, weightDecay: configuration.weightDecay, decayBiases: configuration.decayBiases,
            frozen: configuration.frozen)
        network = try TrainableNetwork(graph: graph, threads: configuration.threads)
        let p = manifest.preprocessing
        anchors = try AnchorSet(manifest.anchors, inputWidth: p.inputWidth, inputHeight: p.inputHeight)
        encoder = try BoxEncoder(manifest.boxCoding)
        layout = HeadLayout(outputShapes: network.outputShapes)
        loss = DetectionObjective(scoring: manifest.scoring, negativesPerPositive: configuration.negativesPerPositive)
        try checkHeads()
    }

    /// Resumes from a checkpoint written by ``saveCheckpoint(to:)``: its graph, manifest, weights, momentum and
    /// iteration. `configuration` supplies everything else (e.g. a larger `iterations`).
    public convenience init(checkpoint url: URL, configuration: TrainerConfiguration) throws {
        let model = try ModelFile(contentsOf: url)
        let all = try ParameterSet(copying: model)
        var weights = ParameterSet(), state = ParameterSet()
        var iteration: Int?
        for name in all.orderedNames {
            if name == Self.iterationTensor {
                iteration = Int(all[name]!.values.first ?? -1)
            } else if name.hasPrefix(SGD.statePrefix) {
                state[name] = all[name]
            } else {
                weights[name] = all[name]
            }
        }
        guard let iteration, iteration >= 0 else {
            throw TrainerError.checkpoint(
                file: url.path, reason: "no '\(Self.iterationTensor)' tensor; it is a model, not a training checkpoint — pass it as --init instead")
        }
        try self.init(graph: model.graph, manifest: model.manifest, parameters: weights, configuration: configuration)
        self.iteration = iteration
        try optimizer.restore(state)
    }

    /// Writes the current weights as a native model file; with `includeTrainingState`, also the momentum buffers and
    /// the iteration (a checkpoint to resume from; still loadable as a model).
    public func saveCheckpoint(to url: URL, includeTrainingState: Bool = true) throws {
        var tensors = parameters.namedValues
        if includeTrainingState {
            tensors += optimizer.state.namedValues
            tensors.append((Self.iterationTensor, [1], [Float(iteration)]))
        }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        try ModelFile.write(to: temporary, graph: graph, manifest: manifest, parameters: tensors)
        // Rename so a crash mid-write never leaves a truncated checkpoint under the real name.
        _ = try? FileManager.default.removeItem(at: url)
        try FileManager.default.moveItem(at: temporary, to: url)
    }

    /// Loss parts of one micro-batch.
    public struct StepLoss: Sendable, Equatable {
        public var classification: Float
        public var localization: Float
        public var positives: Int
        public var total: Float { classification + localization }
    }

    /// Forward, loss and backward of one micro-batch; returns the loss and the gradients of trainable parameters.
    public func gradients(for samples: [TrainingSample]) throws -> (loss: StepLoss, gradients: ParameterSet) {
        guard !samples.isEmpty else { throw TrainerError.dataSource("empty batch at iteration \(iteration)") }
        let inputShape = graph.inputShape
        var values: [Float] = []
        values.reserveCapacity(samples.count * inputShape.reduce(1, *))
        var targets: [AnchorTargets] = []
        for (index, sample) in samples.enumerated() {
            guard sample.image.shape == inputShape else {
                throw TrainerError.shapeMismatch(
                    "image \(index) of the batch at iteration \(iteration)", expected: inputShape, actual: sample.image.shape)
            }
            values += sample.image.values
            let truth = ImageGroundTruth(
                pixelBoxes: sample.boxes, labels: sample.labels, width: inputShape[1], height: inputShape[0], anchors: anchors)
            targets.append(AnchorTargets(groundTruth: truth, anchors: anchors, matcher: matcher, encoder: encoder))
        }
        let n = samples.count
        let pass = try network.forward(Tensor(shape: [n] + inputShape, values: values), parameters: parameters)
        let (regressions, logits) = layout.flatten(pass.outputs, batch: n)
        let result = loss(classLogits: logits, boxRegressions: regressions, targets: targets, classes: manifest.labels.count)
        let outputGradients = layout.unflatten(
            regressions: result.boxRegressionsGradient, logits: result.classLogitsGradient, batch: n, outputShapes: network.outputShapes)
        let gradients = try network.backward(pass, outputGradients: outputGradients, isTrainable: configuration.frozen.isTrainable)
        return (StepLoss(classification: result.classification, localization: result.localization, positives: result.positives), gradients.parameters)
    }

    /// Applies one optimizer step with the scheduled rate and advances ``iteration``.
    public func apply(_ gradients: ParameterSet) {
        optimizer.step(&parameters, gradients: gradients, learningRate: configuration.schedule.rate(at: iteration))
        iteration += 1
    }

    private func checkHeads() throws {
        let perLocation = AnchorSet.boxesPerLocation(manifest.anchors)
        let shapes = network.outputShapes
        guard shapes.count == 2 * perLocation.count else {
            throw TrainerError.invalidGraph(
                node: graph.outputs.joined(separator: ","),
                reason: "\(shapes.count) outputs for \(perLocation.count) anchor levels (need a box and a class head per level)")
        }
        var total = 0
        for (level, a) in perLocation.enumerated() {
            let box = shapes[2 * level], cls = shapes[2 * level + 1]
            guard box.last == a * 4, cls.last == a * manifest.labels.count, box.dropLast() == cls.dropLast() else {
                throw TrainerError.invalidGraph(
                    node: graph.outputs[2 * level],
                    reason: "level \(level): box head \(box), class head \(cls) for \(a) anchors and \(manifest.labels.count) classes")
            }
            total += box[0] * box[1] * a
        }
        guard total == anchors.count else {
            throw TrainerError.invalidGraph(
                node: graph.outputs[0], reason: "heads predict \(total) boxes, the manifest's default boxes number \(anchors.count)")
        }
    }
}
