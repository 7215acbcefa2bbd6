import ArgumentParser
import Detection
import Evaluation
import Foundation
import Geometry
import MediaIO
import ModelStore

/// `ssdd eval --data DIR (--model FILE | --predictions FILE)`: VOC07 mAP, COCO statistics and per-class AP.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate detections against a VOC or COCO dataset: VOC07 mAP, COCO AP@[.5:.95] and per-class AP.",
        discussion: """
            VOC: DIR holds Annotations/, ImageSets/Main/ and JPEGImages/. COCO: DIR is the annotation JSON, or a directory \
            holding annotations.json and images/. Predictions are `ssdd detect` JSON Lines (image id = the input's file \
            stem) or a COCO results array.
            """)

    /// Dataset layouts.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case voc
        case coco
    }

    @Option(help: "Dataset directory (or COCO annotation file).")
    var data: String

    @Option(help: "Model file to run over the dataset's images.")
    var model: String?

    @Option(help: "Detections to evaluate (JSON Lines from `ssdd detect`, or COCO results JSON).")
    var predictions: String?

    @Option(help: "Dataset layout; detected from DIR when omitted.")
    var format: Format?

    @Option(help: "VOC image set (ImageSets/Main/<split>.txt); all annotations when absent.")
    var split = "test"

    @Option(help: "With --model: keep detections scoring at least this (0…1).")
    var threshold: Float = 0.01

    @Option(help: "With --model: inference threads.")
    var threads = 1

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (model == nil) != (predictions == nil) else { throw ValidationError("give exactly one of --model and --predictions") }
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be between 0 and 1, got \(threshold)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let groundTruth = try readGroundTruth()
        let detections: [ScoredDetection]
        if let predictions {
            detections = try PredictionReader.read(URL(fileURLWithPath: predictions), groundTruth: groundTruth)
        } else {
            detections = try detect(groundTruth)
        }
        let report = try EvaluationReport(detections: detections, groundTruth: groundTruth)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            Console.writeLine(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            Console.writeLine(report.table())
        }
    }

    private func readGroundTruth() throws -> GroundTruthSet {
        let url = URL(fileURLWithPath: data)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory) else { throw CLIError("\(data): no such file or directory") }
        let layout =
            format ?? (isDirectory.boolValue && FileManager.default.fileExists(atPath: url.appendingPathComponent("Annotations").path) ? .voc : .coco)
        switch layout {
        case .voc:
            return try VOCDatasetReader(root: url).read(split: split)
        case .coco:
            let file = isDirectory.boolValue ? url.appendingPathComponent("annotations.json") : url
            let images = isDirectory.boolValue ? url.appendingPathComponent("images") : url.deletingLastPathComponent()
            return try COCODatasetReader(annotationFile: file, imageDirectory: images).read()
        }
    }

    /// Runs the model over every image of the dataset.
    private func detect(_ groundTruth: GroundTruthSet) throws -> [ScoredDetection] {
        let file = try ModelFile(contentsOf: URL(fileURLWithPath: model!))
        let detector = try Detector(model: file, options: DetectorOptions(threads: threads, minimumScore: threshold))
        var detections: [ScoredDetection] = []
        for id in groundTruth.images {
            guard let path = groundTruth.imagePaths[id] else { throw CLIError("image \(id): the dataset names no file for it") }
            let reader = try VideoReader(input: path)
            guard let frame = try reader.nextFrame() else { throw CLIError("\(path): no picture in the file") }
            for d in try detector.detect(frame.image) {
                detections.append(
                    ScoredDetection(
                        imageID: id, label: d.label, score: Double(d.score),
                        box: d.box))
            }
        }
        return detections
    }
}
