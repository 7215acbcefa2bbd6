import Digests
import Foundation
import ModelStore
import NeuralNet

/// Converts a Caffe SSD deploy prototxt and its caffemodel into a native model.
///
/// The structure comes from the prototxt only; the caffemodel supplies blobs by layer name (its other layers, e.g.
/// the data and loss layers of a training snapshot, are ignored). The network runs from the preprocessed input to
/// the head convolutions (box and class outputs per level, in the order of the `mbox_loc`/`mbox_conf` concats); the
/// PriorBox layers become ``ModelStore/AnchorConfiguration/caffePriorBoxes(_:)``, DetectionOutput the box coding and
/// post-processing.
struct CaffeImporter {
    var labels: [String]?
    var overrides: CaffePreprocessingOverrides
    var limits = CaffeReadLimits.standard

    init(labels: [String]?, overrides: CaffePreprocessingOverrides) {
        self.labels = labels
        self.overrides = overrides
    }

    func importModel(prototxt: URL, weights: URL) throws -> ImportedModel {
        let structure = try CaffeNetFile.prototxt(at: prototxt, limits: limits)
        let (blobs, data) = try CaffeNetFile.caffemodel(at: weights, limits: limits)
        let source =
            "\(prototxt.lastPathComponent) + \(weights.lastPathComponent) sha256 \(try SHA256Digest.hexadecimal(of: data)); "
            + "imported by ssdd CaffeImporter"
        return try convert(
            structure: structure, file: prototxt.path, weights: CaffeWeights(blobs, file: weights.path, limits: limits),
            source: source)
    }

    /// Converts decoded nets; `file` (the prototxt) names the structure in errors, `source` goes into the manifest.
    func convert(structure: Caffe_NetParameter, file: String, weights: CaffeWeights, source: String) throws -> ImportedModel {
        try checkOverrides(file: file)
        var builder = CaffeNetworkBuilder(file: file, weights: weights, limits: limits)
        try builder.convert(structure)
        guard !builder.inputName.isEmpty else {
            throw ModelImportError.notACaffeNet(
                file: file, reason: "the prototxt declares no input (an Input layer or input/input_shape)")
        }
        guard let detection = builder.detectionOutput else {
            throw ModelImportError.notACaffeNet(
                file: file,
                reason: "the prototxt has no DetectionOutput layer; pass the SSD's deploy.prototxt, not its train/test net")
        }
        let layer = detection.layer
        func fail(_ reason: String) -> ModelImportError {
            ModelImportError.caffeLayer(file: file, layer: layer.name, type: layer.type, reason: reason)
        }
        let levels = try CaffeHeadLevels(
            loc: detection.loc, conf: detection.conf, classes: detection.classes, priors: detection.priors,
            shapes: builder.shape(of:), fail: fail)
        let p = layer.detectionOutputParam
        guard !p.hasNumClasses || Int(p.numClasses) == detection.classes else {
            throw fail("detection_output_param.num_classes \(p.numClasses) differs from the \(detection.classes) classes of the conf reshape")
        }
        let outputs = zip(detection.loc, detection.conf).flatMap { [$0, $1] }
        let graph = NetworkGraph(
            inputName: builder.inputName, inputShape: builder.inputShape, nodes: builder.nodes, outputs: outputs)
        do {
            _ = try graph.outputShapes()
        } catch {
            throw ModelImportError.notACaffeNet(file: file, reason: "the converted network is invalid: \(error)")
        }
        let architecture = CaffeArchitecture(graph: graph, levels: levels.count)
        let manifest = ModelManifest(
            architecture: architecture.rawValue, source: source,
            preprocessing: architecture.preprocessing(
                inputWidth: builder.inputShape[1], inputHeight: builder.inputShape[0], overrides: overrides),
            anchors: .caffePriorBoxes(detection.priors),
            boxCoding: try CaffeDetectionSettings.boxCoding(p, priors: detection.priors, fail: fail),
            scoring: .softmax, postprocessing: try CaffeDetectionSettings.postprocessing(p, fail: fail),
            labels: try resolveLabels(classes: detection.classes, file: file),
            heads: zip(detection.loc, detection.conf).map { HeadOutputs(boxes: $0, classes: $1) })
        let statistics = ImportStatistics(
            sourceNodeCount: structure.layer.count, sourceParameterCount: builder.sourceParameterCount,
            movingStatisticCount: builder.movingStatisticCount, foldedBatchNormCount: builder.foldedBatchNormCount,
            anchorCount: levels.anchorCount)
        return ImportedModel(graph: graph, manifest: manifest, parameters: builder.parameters, statistics: statistics)
    }

    /// The given labels, or PASCAL VOC for 21 slots, or the other built-in sets.
    private func resolveLabels(classes: Int, file: String) throws -> [String] {
        if labels == nil, classes == DefaultLabels.voc.count { return DefaultLabels.voc }
        return try DefaultLabels.resolve(labels, slots: classes, file: file)
    }

    private func checkOverrides(file: String) throws {
        if let mean = overrides.mean, mean.count != 3 || !mean.allSatisfy({ $0.isFinite && abs($0) <= 1e4 }) {
            throw ModelImportError.notACaffeNet(
                file: file, reason: "the mean override must be three finite values (one per channel), got \(mean)")
        }
        if let scale = overrides.scale, !(scale.isFinite && scale > 0 && scale <= 1e4) {
            throw ModelImportError.notACaffeNet(file: file, reason: "the scale override must be positive and finite, got \(scale)")
        }
    }
}
