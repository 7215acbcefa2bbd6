import Digests
import Foundation
import ModelStore
import NeuralNet

/// Imports a torchvision SSD-VGG16 checkpoint (`torch.save(model.state_dict())`, e.g. the published
/// `ssd300_vgg16_coco-b556d3b4.pth`) as a native model: the ``SSDVGG`` graph, its manifest and the tensors, validated
/// key by key.
public struct TorchvisionImporter: Sendable {
    /// The architecture, or nil to infer it (`backbone.extra.5.*` present → SSD512, else SSD300).
    public var architecture: SSDVGG.Variant?
    /// Label per class slot (slot 0 background), or nil for torchvision's COCO labels (91 slots) or the built-in sets.
    public var labels: [String]?

    /// The key whose first dimension (4 · classes) gives the class count.
    static let classCountKey = "head.classification_head.module_list.0.weight"

    public init(architecture: SSDVGG.Variant? = nil, labels: [String]? = nil) {
        self.architecture = architecture
        self.labels = labels
    }

    /// Reads, validates and converts the checkpoint at `url`.
    public func importCheckpoint(at url: URL) throws -> ImportedModel {
        try importCheckpoint(at: url, readLimit: nil)
    }

    /// As ``importCheckpoint(at:)``, with `readLimit` bytes in place of the read budget computed from the file's size
    /// (tests only; see ``TorchCheckpoint/init(contentsOf:readLimit:)``).
    func importCheckpoint(at url: URL, readLimit: Int?) throws -> ImportedModel {
        let checkpoint =
            try readLimit.map { limit throws(TorchCheckpointError) in try TorchCheckpoint(contentsOf: url, readLimit: limit) }
            ?? TorchCheckpoint(contentsOf: url)
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw TorchCheckpointError.cannotRead(file: url.path, reason: error.localizedDescription)
        }
        let source = "\(url.lastPathComponent) sha256 \(try SHA256Digest.hexadecimal(of: data)); imported by ssdd TorchvisionImporter"
        return try convert(checkpoint, file: url.path, source: source)
    }

    /// Validates `checkpoint` against the architecture and builds the model; `file` names it in errors.
    func convert(_ checkpoint: TorchCheckpoint, file: String, source: String) throws -> ImportedModel {
        let variant = architecture ?? (checkpoint.tensors["backbone.extra.5.0.weight"] != nil ? .ssd512 : .ssd300)
        let classes = try classCount(checkpoint, file: file)
        let expected = SSDVGG.parameterShapes(variant, numClasses: classes)
        var parameters: [(name: String, shape: [Int], values: [Float])] = []
        for (name, shape) in expected {
            guard let tensor = checkpoint.tensors[name] else {
                throw TorchCheckpointError.missingParameter(file: file, key: name, expected: shape)
            }
            guard tensor.shape == shape else {
                throw TorchCheckpointError.parameterShape(file: file, key: name, expected: shape, actual: tensor.shape)
            }
            parameters.append((name, shape, tensor.values))
        }
        let known = Set(expected.map(\.name))
        let unexpected = checkpoint.keys.filter { !known.contains($0) }.sorted()
        guard unexpected.isEmpty else {
            throw TorchCheckpointError.unexpectedParameters(file: file, keys: Array(unexpected.prefix(5)), architecture: variant.rawValue)
        }
        let resolved =
            labels == nil && classes == SSDVGG.torchvisionCOCOLabels.count
            ? SSDVGG.torchvisionCOCOLabels : try DefaultLabels.resolve(labels, slots: classes, file: file)
        let sizes = SSDVGG.featureMapSizes(variant)
        let anchorCount = zip(sizes, variant.anchorsPerLocation).reduce(0) { $0 + $1.0 * $1.0 * $1.1 }
        let statistics = ImportStatistics(
            sourceNodeCount: checkpoint.keys.count, sourceParameterCount: parameters.reduce(0) { $0 + $1.values.count },
            movingStatisticCount: 0, foldedBatchNormCount: 0, anchorCount: anchorCount)
        return ImportedModel(
            graph: SSDVGG.graph(variant, numClasses: classes),
            manifest: SSDVGG.manifest(variant, labels: resolved, source: source), parameters: parameters,
            statistics: statistics)
    }

    /// Class slots from the first classification head (4 anchors per location at level 0).
    private func classCount(_ checkpoint: TorchCheckpoint, file: String) throws(TorchCheckpointError) -> Int {
        let reference = [4 * 91, 512, 3, 3]
        guard let tensor = checkpoint.tensors[Self.classCountKey] else {
            throw TorchCheckpointError.missingParameter(file: file, key: Self.classCountKey, expected: reference)
        }
        guard tensor.shape.count == 4, tensor.shape[0] % 4 == 0, tensor.shape[0] >= 8 else {
            throw TorchCheckpointError.parameterShape(file: file, key: Self.classCountKey, expected: reference, actual: tensor.shape)
        }
        return tensor.shape[0] / 4
    }
}

/// Imports the torchvision SSD-VGG16 checkpoint at `url`; see ``TorchvisionImporter``.
///
/// - Parameters:
///   - architecture: `.ssd300` or `.ssd512`, or nil to infer it from the keys.
///   - labels: label per class slot (slot 0 background), or nil for the defaults.
/// - Throws: ``TorchCheckpointError`` (unreadable file, missing key, wrong shape, unexpected keys) or
///   ``ModelImportError`` (label count).
public func importTorchvisionCheckpoint(
    at url: URL, architecture: SSDVGG.Variant? = nil, labels: [String]? = nil
) throws -> ImportedModel {
    try TorchvisionImporter(architecture: architecture, labels: labels).importCheckpoint(at: url)
}
