import Digests
import Foundation
import ModelStore
import NeuralNet

/// Imports a TF Object Detection API SSD frozen graph (SSDLite/SSD with a MobileNetV2 feature extractor) as a native
/// model: BatchNorms folded into convolutions, TF-SAME padding made explicit, and the anchor, box-coder, NMS and
/// preprocessing settings read from the graph's constants.
///
/// The emitted network runs from the preprocessed tensor (`Preprocessor/sub`, [300, 300, 3]) to the 12 head `BiasAdd`
/// tensors (`BoxPredictor_l/BoxEncodingPredictor/BiasAdd`, `BoxPredictor_l/ClassPredictor/BiasAdd`), in manifest head
/// order (box, class for level 0, then level 1, …).
public struct TensorFlowDetectionImporter: Sendable {
    /// Label per class slot (slot 0 background), or nil for the defaults (1 class: background, person; 90 classes:
    /// COCO). One label fewer than the slots gets "background" prepended.
    public var labels: [String]?

    /// TF node feeding the MobileNetV2 backbone.
    static let backboneInput = "FeatureExtractor/MobilenetV2/MobilenetV2/input"
    static let backboneScope = "FeatureExtractor/MobilenetV2/"

    public init(labels: [String]? = nil) {
        self.labels = labels
    }

    /// Reads, parses and converts the frozen graph at `url`.
    public func importGraph(at url: URL) throws -> ImportedModel {
        do {
            _ = try SourceFileCheck.regularFileSize(at: url.path)
        } catch {
            throw ModelImportError.cannotRead(file: url.path, reason: error.reason)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw ModelImportError.cannotRead(file: url.path, reason: error.localizedDescription)
        }
        let source = "\(url.lastPathComponent) sha256 \(try SHA256Digest.hexadecimal(of: data)); imported by ssdd TensorFlowDetectionImporter"
        return try importGraph(serialized: data, file: url.path, source: source)
    }

    /// Converts serialized GraphDef bytes; `file` names the source in errors, `source` goes into the manifest.
    func importGraph(serialized data: Data, file: String, source: String) throws -> ImportedModel {
        let graph = try TensorFlowGraph(serialized: data, file: file)
        guard graph.hasNodes(withPrefix: Self.backboneScope) else {
            throw ModelImportError.unsupportedGraph(
                file: file, missing: "no \(Self.backboneScope)… nodes (only MobileNetV2 feature extractors are supported)",
                found: graph.contentsSummary)
        }
        let heads = try headNames(in: graph)
        let (preprocessing, networkInput) = try TensorFlowDetectionSettings.preprocessing(
            in: graph, backboneInput: Self.backboneInput)

        var builder = TensorFlowNetworkBuilder(
            graph: graph, inputNode: networkInput, inputName: networkInput,
            inputShape: [preprocessing.inputHeight, preprocessing.inputWidth, 3])
        var outputs: [String] = []
        for head in heads {
            outputs.append(try builder.convert(head.boxes))
            outputs.append(try builder.convert(head.classes))
        }
        let levels = try TensorFlowHeadGeometry(heads: heads, shapes: builder.shapes, file: file)
        let specs = try TensorFlowAnchorExtraction.boxSpecs(in: graph)
        let anchors = try TensorFlowAnchorExtraction.anchors(
            from: specs, featureMapSizes: levels.featureMapSizes, file: file)
        guard specs.map(\.count) == levels.anchorsPerLevel else {
            throw ModelImportError.inconsistentHeads(
                file: file,
                reason: "heads predict \(levels.anchorsPerLevel) anchors per cell, the anchor generator makes "
                    + "\(specs.map(\.count))")
        }
        let manifest = ModelManifest(
            architecture: graph.hasNodes(withPrefix: "BoxPredictor_0/BoxEncodingPredictor_depthwise/")
                ? "ssdlite_mobilenet_v2" : "ssd_mobilenet_v2",
            source: source, preprocessing: preprocessing, anchors: .tensorFlowMultipleGrid(anchors),
            boxCoding: try TensorFlowDetectionSettings.boxCoding(in: graph),
            scoring: try TensorFlowDetectionSettings.scoring(in: graph),
            postprocessing: try TensorFlowDetectionSettings.postprocessing(in: graph),
            labels: try DefaultLabels.resolve(labels, slots: levels.classSlots, file: file), heads: heads)
        let network = NetworkGraph(
            inputName: networkInput, inputShape: [preprocessing.inputHeight, preprocessing.inputWidth, 3],
            nodes: builder.nodes, outputs: outputs)
        let statistics = ImportStatistics(
            sourceNodeCount: graph.nodes.count, sourceParameterCount: builder.sourceParameterCount,
            movingStatisticCount: builder.movingStatisticCount, foldedBatchNormCount: builder.foldedBatchNormCount,
            anchorCount: levels.anchorCount)
        return ImportedModel(graph: network, manifest: manifest, parameters: builder.parameters, statistics: statistics)
    }

    /// `BoxPredictor_l/{BoxEncodingPredictor,ClassPredictor}/BiasAdd` for l = 0, 1, … while they exist.
    private func headNames(in graph: TensorFlowGraph) throws -> [HeadOutputs] {
        var heads: [HeadOutputs] = []
        while true {
            let level = heads.count
            let boxes = "BoxPredictor_\(level)/BoxEncodingPredictor/BiasAdd"
            let classes = "BoxPredictor_\(level)/ClassPredictor/BiasAdd"
            guard graph.node(named: boxes) != nil, graph.node(named: classes) != nil else { break }
            heads.append(HeadOutputs(boxes: boxes, classes: classes))
        }
        guard !heads.isEmpty else {
            throw ModelImportError.unsupportedGraph(
                file: graph.file,
                missing: "no BoxPredictor_0/BoxEncodingPredictor/BiasAdd and BoxPredictor_0/ClassPredictor/BiasAdd "
                    + "(the SSD box predictor heads)",
                found: graph.contentsSummary)
        }
        return heads
    }
}
