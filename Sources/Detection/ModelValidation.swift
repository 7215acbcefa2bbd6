import Foundation
import ModelStore
import NeuralNet
import TensorEngine

/// The one validation a native model passes before it runs, whoever loads it: `ssdd model info`, `ssdd detect`, the
/// daemon, evaluation and benchmarks all build their detector with ``Detector/init(model:options:)``, which runs this
/// first. It reads no weights and allocates nothing that the file's values size:
///
/// 1. every manifest value in range (``ModelManifest/validate(file:)``, ``ManifestLimits``);
/// 2. every graph value in range and every shape inferred with checked arithmetic (``NetworkGraph/footprint(options:limits:)``,
///    ``GraphLimits``);
/// 3. graph, anchors, labels and heads consistent: the graph input is the preprocessing size, the box coding's order the
///    anchors', each level's box head `[h, w, A·4]` and class head `[h, w, A·K]` on the level's feature map with `A`
///    anchors per location and `K` = the number of labels;
/// 4. the memory of the network (activations, repacked weights, scratch) and of one frame's detection buffers at most
///    ``DetectorOptions/memoryLimit`` (2 GiB by default).
public enum ModelValidation {
    /// Most default boxes a model may have (SSD512 has 24,564).
    public static let maximumAnchors = 1_000_000

    /// What a model that passed needs.
    public struct Report: Sendable, Equatable {
        /// The network's activations, repacked weights and scratch.
        public var network: NetworkFootprint
        /// Floats of the anchors and of one frame's input, regressions, decoded boxes, logits and scores.
        public var detectionFloats: Int
        public var anchorCount: Int

        /// Bytes of everything the detector allocates.
        public var bytes: Int {
            CheckedSize.product(detectionFloats, 4).flatMap { CheckedSize.sum($0, network.bytes) } ?? .max
        }
    }

    /// Validates `model` for a detector with `options`.
    ///
    /// - Throws: ``ModelValidationError`` naming the file and the first key at fault.
    public static func validate(_ model: ModelFile, options: DetectorOptions = DetectorOptions()) throws(ModelValidationError) -> Report {
        let file = model.url.path
        let manifest = model.manifest
        try manifest.validate(file: file)
        if options.precision == .int8 && manifest.calibration == nil {
            throw ModelValidationError(
                file: file, key: "calibration",
                problem: "is missing, and precision int8 needs it: run `ssdd model calibrate \(file) IMAGES… -o OUT` and use OUT")
        }
        let networkOptions = options.networkOptions
        let footprint: NetworkFootprint
        let outputShapes: [[Int]]
        do {
            footprint = try model.graph.footprint(options: networkOptions, limits: networkOptions.limits)
            outputShapes = try model.graph.outputShapes(limits: networkOptions.limits)
        } catch {
            throw Self.error(error, file: file)
        }
        let p = manifest.preprocessing
        let expectedInput = [p.inputHeight, p.inputWidth, 3]
        guard model.graph.inputShape == expectedInput else {
            throw ModelValidationError(
                file: file, key: "graph.inputShape",
                problem: "is \(model.graph.inputShape), but preprocessing.inputWidth and inputHeight make the input \(expectedInput)")
        }
        let anchorCount = try checkHeads(manifest, graph: model.graph, outputShapes: outputShapes, file: file)
        _ = try classFilter(manifest, options: options, file: file)
        let classes = manifest.labels.count
        // Anchors, regressions and decoded boxes (4 each), logits and scores (K each), the input and its float copy.
        guard let perAnchor = CheckedSize.sum(12, CheckedSize.product(2, classes) ?? .max),
            let anchorFloats = CheckedSize.product(anchorCount, perAnchor),
            let inputFloats = CheckedSize.product(p.inputWidth, p.inputHeight, 3, 2),
            let detectionFloats = CheckedSize.sum(anchorFloats, inputFloats)
        else {
            throw ModelValidationError(file: file, key: "labels", problem: "and anchors need more memory than an Int counts")
        }
        let report = Report(network: footprint, detectionFloats: detectionFloats, anchorCount: anchorCount)
        guard report.bytes <= options.memoryLimit else {
            throw ModelValidationError(
                file: file, key: "graph",
                problem: "needs \(NetworkFootprint.format(bytes: report.bytes)) to run (network \(footprint); detection "
                    + "buffers \(NetworkFootprint.format(bytes: detectionFloats.multipliedReportingOverflow(by: 4).partialValue))), "
                    + "more than the limit of \(NetworkFootprint.format(bytes: options.memoryLimit))")
        }
        return report
    }

    /// The class slots `options.labels` selects, nil for all.
    static func classFilter(_ manifest: ModelManifest, options: DetectorOptions, file: String) throws(ModelValidationError) -> Set<Int>? {
        guard let labels = options.labels else { return nil }
        var indices = Set<Int>()
        for label in labels {
            guard let index = manifest.labels.firstIndex(of: label), index > 0 else {
                let known = manifest.labels.dropFirst().filter { $0 != "N/A" }.joined(separator: ", ")
                throw ModelValidationError(
                    file: file, key: "labels", problem: "do not include '\(label)' (label '\(label)' is not one of the model's classes: \(known))")
            }
            indices.insert(index)
        }
        return indices
    }

    /// Checks the heads against the graph outputs, the anchors and the labels; returns the number of anchors.
    private static func checkHeads(
        _ manifest: ModelManifest, graph: NetworkGraph, outputShapes: [[Int]], file: String
    ) throws(ModelValidationError) -> Int {
        let heads = manifest.heads
        let perLocation = AnchorSet.boxesPerLocation(manifest.anchors)
        let maps: [(height: Int, width: Int)]
        let order: CoordinateOrder
        switch manifest.anchors {
        case .tensorFlowMultipleGrid(let p):
            maps = p.featureMapSizes.map { ($0[0], $0[1]) }
            order = .yx
        case .ssdDefaultBoxes(let p):
            maps = p.featureMapSizes.map { ($0, $0) }
            order = .xy
        case .caffePriorBoxes(let levels):
            maps = levels.map { ($0.featureMapHeight, $0.featureMapWidth) }
            order = .xy
            try checkCaffeCoding(manifest.boxCoding, levels: levels, file: file)
        }
        guard manifest.boxCoding.order == order else {
            throw ModelValidationError(
                file: file, key: "boxCoding.order",
                problem: "must be \(order.rawValue) for these anchors, got \(manifest.boxCoding.order.rawValue)")
        }
        guard heads.count == maps.count else {
            throw ModelValidationError(
                file: file, key: "heads", problem: "name \(heads.count) levels, but anchors.featureMapSizes has \(maps.count)")
        }
        let expectedOutputs = heads.flatMap { [$0.boxes, $0.classes] }
        guard graph.outputs == expectedOutputs else {
            throw ModelValidationError(
                file: file, key: "graph.outputs",
                problem: "must be the heads' box and class outputs in level order \(expectedOutputs), got \(graph.outputs)")
        }
        let classes = manifest.labels.count
        var total = 0
        for (level, map) in maps.enumerated() {
            let a = perLocation[level]
            let boxShape = outputShapes[2 * level]
            let classShape = outputShapes[2 * level + 1]
            let expectedBoxes = [map.height, map.width, a * 4]
            guard boxShape == expectedBoxes else {
                throw ModelValidationError(
                    file: file, key: "heads[\(level)].boxes",
                    problem: "('\(heads[level].boxes)') has shape \(boxShape), expected \(expectedBoxes): \(a) anchors per "
                        + "location on the \(map.height)x\(map.width) map of anchors.featureMapSizes[\(level)]")
            }
            let channels = classShape[2]
            guard classShape[0] == map.height, classShape[1] == map.width, channels % a == 0 else {
                throw ModelValidationError(
                    file: file, key: "heads[\(level)].classes",
                    problem: "('\(heads[level].classes)') has shape \(classShape), expected [\(map.height), \(map.width), "
                        + "\(a) anchors per location × \(classes) classes]")
            }
            guard channels == a * classes else {
                throw ModelValidationError(
                    file: file, key: "labels",
                    problem: "name \(classes) classes, but heads[\(level)].classes predicts \(channels / a) per anchor "
                        + "(\(channels) channels for \(a) anchors per location)")
            }
            guard let count = CheckedSize.product(map.height, map.width, a), let sum = CheckedSize.sum(total, count),
                sum <= maximumAnchors
            else {
                throw ModelValidationError(
                    file: file, key: "anchors.featureMapSizes", problem: "give more than \(maximumAnchors) default boxes")
            }
            total = sum
        }
        return total
    }

    /// Caffe priors carry their variances, which the decoder multiplies the codes by (as OpenCV does); the box
    /// coding's weights must say the same thing: all 1 (`variance_encoded_in_target`) or 1/variance at every level.
    private static func checkCaffeCoding(_ coding: BoxCoding, levels: [CaffePriorBox], file: String) throws(ModelValidationError) {
        if coding.weights.allSatisfy({ $0 == 1 }) { return }
        for (index, level) in levels.enumerated() {
            let variances = level.variances.count == 4 ? level.variances : Array(repeating: level.variances.first ?? 0, count: 4)
            for (weight, variance) in zip(coding.weights, variances) where abs(weight * variance - 1) > 1e-5 {
                throw ModelValidationError(
                    file: file, key: "boxCoding.weights",
                    problem: "must be all 1 (variance encoded in target) or 1/variance of the priors, but anchors[\(index)] has "
                        + "variances \(variances) and the weights are \(coding.weights)")
            }
        }
    }

    /// A graph or compilation error as a validation error naming the graph key.
    static func error(_ error: any Error, file: String) -> ModelValidationError {
        switch error {
        case let error as ModelValidationError: return error
        case let error as NetworkError: return ModelValidationError(error, file: file)
        default: return ModelValidationError(file: file, key: "graph", problem: "cannot be compiled: \(error)")
        }
    }
}
