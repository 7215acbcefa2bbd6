import Foundation
import ModelStore

/// Foreign model formats `ssdd model import` understands, recognised by file extension.
public enum ModelSourceFormat: String, Sendable, CaseIterable {
    /// TensorFlow frozen graph (`.pb`) from the TF Object Detection API.
    case tensorFlowFrozenGraph
    /// torchvision SSD checkpoint (`.pth`/`.pt`, a state_dict saved by `torch.save`).
    case torchCheckpoint

    /// The format of `url`, or nil when no importer handles it.
    public init?(url: URL) {
        switch url.pathExtension.lowercased() {
        case "pb": self = .tensorFlowFrozenGraph
        case "pth", "pt": self = .torchCheckpoint
        default: return nil
        }
    }
}

/// Imports the TF Object Detection API SSD frozen graph at `url`; see ``TensorFlowDetectionImporter``.
///
/// - Parameter labels: label per class slot (slot 0 background), or nil for the defaults.
public func importTensorFlowGraph(at url: URL, labels: [String]?) throws -> ImportedModel {
    try TensorFlowDetectionImporter(labels: labels).importGraph(at: url)
}

/// Converts the model at `source` (format chosen by extension) and writes it as a native model file to `destination`.
///
/// Throws ``ModelImportError/unsupportedFormat(file:)`` for files no importer handles, import errors for bad sources
/// and ``ModelStore/ModelStoreError`` when writing fails.
@discardableResult
public func importModel(from source: URL, to destination: URL, labels: [String]?) throws -> ImportedModel {
    guard let format = ModelSourceFormat(url: source) else {
        throw ModelImportError.unsupportedFormat(file: source.path)
    }
    let model: ImportedModel
    switch format {
    case .tensorFlowFrozenGraph:
        model = try importTensorFlowGraph(at: source, labels: labels)
    case .torchCheckpoint:
        model = try importTorchvisionCheckpoint(at: source, labels: labels)
    }
    try ModelFile.write(to: destination, graph: model.graph, manifest: model.manifest, parameters: model.parameters)
    return model
}

/// Imports the Caffe SSD `prototxt` + `weights` (see ``importCaffeModel(prototxt:weights:labels:overrides:)``) and
/// writes it as a native model file to `destination`.
@discardableResult
public func importCaffeModel(
    prototxt: URL, weights: URL, to destination: URL, labels: [String]?, overrides: CaffePreprocessingOverrides
) throws -> ImportedModel {
    let model = try importCaffeModel(prototxt: prototxt, weights: weights, labels: labels, overrides: overrides)
    try ModelFile.write(to: destination, graph: model.graph, manifest: model.manifest, parameters: model.parameters)
    return model
}
