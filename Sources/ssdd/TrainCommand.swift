import ArgumentParser
import Evaluation
import Foundation
import MediaIO
import ModelImport
import ModelStore
import NeuralNet
import Training

/// `ssdd train`: trains an SSD on a VOC-layout directory and writes a native model file.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an SSD (from scratch or fine-tuning) on a PASCAL VOC or COCO dataset; write a native .safetensors model.")

    @Option(help: "VOC-layout dataset directory (Annotations/, JPEGImages/, ImageSets/Main/), or with --coco the image folder.")
    var data: String

    @Option(help: "COCO-format annotation JSON; --data is then the folder its file_names are relative to.")
    var coco: String?

    @Option(help: "Network: 'small' (compact SSD), 'ssd300' / 'ssd512' (SSD300/SSD512-VGG16), or a native model file to continue from.")
    var model: String = "small"

    @Option(help: "Initial weights from a native model file (tensors with matching names and shapes are copied).")
    var `init`: String?

    @Option(help: "Optimizer steps.")
    var iterations: Int = 2000

    @Option(help: "Images per step.")
    var batch: Int = 8

    @Option(help: "Micro-batches accumulated per step (effective batch = batch × accumulate).")
    var accumulate: Int = 1

    @Option(help: "Base learning rate (SGD, momentum 0.9, weight decay 5e-4).")
    var lr: Float = 0.01

    @Option(help: "Linear warm-up steps (torchvision: from lr/1000).")
    var warmup: Int = 100

    @Option(help: "Comma-separated steps at which the rate is divided by 10 (default: 2/3 and 8/9 of the run).")
    var lrSteps: String?

    @Option(help: "Freeze parameters whose name starts with this prefix (repeatable), e.g. 'backbone.'.")
    var freeze: [String] = []

    @Option(help: "Where to write the trained model.")
    var output: String = "trained.safetensors"

    @Option(help: "Resume from a checkpoint written by an earlier run (its graph, weights, momentum, iteration).")
    var resume: String?

    @Option(help: "Worker threads.")
    var threads: Int = 2

    @Option(help: "Training split (ImageSets/Main/<split>.txt).")
    var split: String = "train"

    @Option(help: "Held-out split to report VOC07 mAP50 on after training (skipped if absent).")
    var evalSplit: String?

    @Option(help: "Input side of the 'small' model (multiple of 32).")
    var inputSize: Int = 96

    @Option(help: "Progress line every N steps.")
    var progressEvery: Int = 20

    @Option(help: "Checkpoint (to --output + .ckpt) every N steps; 0 for none.")
    var checkpointEvery: Int = 0

    @Flag(help: "Only resize; no SSD photometric/zoom/crop/flip augmentation.")
    var noAugment = false

    @Option(help: "Seed for initialisation, sampling and augmentation.")
    var seed: UInt64 = 1

    func run() throws {
        let root = URL(fileURLWithPath: data)
        let dataset =
            try coco.map {
                try DetectionDataset.loadCOCO(annotationFile: URL(fileURLWithPath: $0), imageDirectory: root, loadImage: StillImage.decode)
            }
            ?? DetectionDataset.loadVOC(root: root, split: split, loadImage: StillImage.decode)
        guard !dataset.samples.isEmpty else { throw CLIError("no samples in \(coco ?? "split '\(split)' of \(data)")") }
        let labels = ["background"] + dataset.labels
        let steps =
            lrSteps.map { $0.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
            ?? [iterations * 2 / 3, iterations * 8 / 9]
        let checkpointURL = URL(fileURLWithPath: output + ".ckpt")
        let configuration = TrainerConfiguration(
            iterations: iterations, batchSize: batch, accumulationSteps: accumulate,
            schedule: LearningRateSchedule(baseRate: lr, warmupIterations: warmup, milestones: steps),
            frozen: FrozenParameters(prefixes: freeze), threads: threads, progressInterval: progressEvery,
            checkpointInterval: checkpointEvery, checkpointURL: checkpointEvery > 0 ? checkpointURL : nil)
        let trainer: Trainer
        if let resume {
            trainer = try Trainer(checkpoint: URL(fileURLWithPath: resume), configuration: configuration)
        } else {
            let (graph, built, initial) = try network(labels: labels)
            var manifest = built, parameters = initial
            if let initFile = self.`init` {
                let (copied, skipped) = try parameters.overwrite(from: ModelFile(contentsOf: URL(fileURLWithPath: initFile)))
                Console.write(
                    "init: copied \(copied) tensors from \(initFile); kept \(skipped.count) initialised (\(skipped.prefix(4).joined(separator: ", "))\(skipped.count > 4 ? ", …" : ""))\n",
                    to: STDERR_FILENO)
            }
            manifest.labels = labels
            trainer = try Trainer(graph: graph, manifest: manifest, parameters: parameters, configuration: configuration)
        }
        let p = trainer.manifest.preprocessing
        var augmentation = SSDAugmentation(width: p.inputWidth, height: p.inputHeight)
        augmentation.zoomOut?.fill = Self.fill(p)
        let samples = dataset.samples
        let source = AugmentedBatchSource(
            count: samples.count, preprocessing: p, augmentation: noAugment ? nil : augmentation, seed: seed
        ) { samples[$0] }
        Console.write(
            "training \(trainer.manifest.architecture) (\(trainer.parameters.scalarCount) parameters) on \(samples.count) images of \(data), \(labels.count - 1) classes, from iteration \(trainer.iteration)\n",
            to: STDERR_FILENO)
        let summary = try trainer.train(source: source) { Console.write($0.line + "\n", to: STDERR_FILENO) }
        try trainer.saveCheckpoint(to: URL(fileURLWithPath: output), includeTrainingState: false)
        Console.writeLine(summary.line + " → \(output)")
        if let evalSplit {
            let result = try HeldOutEvaluation.voc(
                model: URL(fileURLWithPath: output), data: root, split: evalSplit, threads: threads, loadImage: StillImage.decode)
            let perClass = result.labels.map { "\($0) \(String(format: "%.4f", (result.averagePrecision[$0] ?? nil) ?? .nan))" }
            Console.writeLine(
                "held-out \(evalSplit): VOC07 mAP50 \(String(format: "%.4f", result.meanAveragePrecision)) (\(perClass.joined(separator: ", ")))")
        }
    }

    /// The graph, manifest and initial weights named by `--model`.
    private func network(labels: [String]) throws -> (NetworkGraph, ModelManifest, ParameterSet) {
        switch model {
        case "small":
            let configuration = SmallSSD.Configuration(inputSize: inputSize, labels: labels)
            let graph = SmallSSD.graph(configuration)
            return (
                graph, SmallSSD.manifest(configuration, source: "ssdd train (from scratch, seed \(seed))"),
                try ParameterInitializer.initialize(graph, scheme: .heNormal, seed: seed)
            )
        case "ssd300", "ssd512":
            let variant: SSDVGG.Variant = model == "ssd300" ? .ssd300 : .ssd512
            let graph = SSDVGG.graph(variant, numClasses: labels.count)
            return (
                graph, SSDVGG.manifest(variant, labels: labels, source: "ssdd train (xavier init, seed \(seed))"),
                try ParameterInitializer.initialize(graph, scheme: .xavierUniform, seed: seed)
            )
        default:
            let file = try ModelFile(contentsOf: URL(fileURLWithPath: model))
            guard file.manifest.labels.count == labels.count else {
                throw CLIError(
                    "\(model) has \(file.manifest.labels.count - 1) classes, the dataset \(labels.count - 1); pass --model small|ssd300|ssd512 with --init \(model) to re-head it"
                )
            }
            return (file.graph, file.manifest, try ParameterSet(copying: file))
        }
    }

    /// Zoom-out fills with the colour that preprocesses to 0 (the mean), clamped to bytes.
    private static func fill(_ p: Preprocessing) -> (UInt8, UInt8, UInt8) {
        func byte(_ c: Int) -> UInt8 { UInt8(max(0, min(255, (-p.offset[c] / p.scale[c]).rounded()))) }
        return (byte(0), byte(1), byte(2))
    }
}
