import Foundation
import NeuralNet

/// A native ssdd model: a safetensors file whose metadata holds the network and the manifest.
///
/// Metadata keys: `ssdd.format` = "1", `ssdd.graph` = JSON of ``NetworkGraph``, `ssdd.manifest` = JSON of
/// ``ModelManifest``. Tensors are float32 and named as the graph names its parameters. Opening validates all of this,
/// so a `ModelFile` that exists is complete; weights stay memory-mapped and are lent through ``ParameterSource``.
public struct ModelFile: Sendable {
    /// The `ssdd.format` value this build writes and reads.
    public static let formatVersion = "1"
    /// Metadata key of the format version.
    public static let formatKey = "ssdd.format"
    /// Metadata key of the graph JSON.
    public static let graphKey = "ssdd.graph"
    /// Metadata key of the manifest JSON.
    public static let manifestKey = "ssdd.manifest"

    /// Where the model was loaded from.
    public let url: URL
    public let graph: NetworkGraph
    public let manifest: ModelManifest
    /// The mapped weights.
    public let tensors: SafeTensorsFile

    /// Maps and validates the model at `url`: format version, decodable graph and manifest, every graph value in range
    /// with inferable shapes (``NeuralNet/GraphLimits``), every parameter the graph names present with a fitting shape,
    /// every tensor float32. The manifest's values and their consistency with the graph are checked when a detector is
    /// built from the file (`Detector(model:options:)` in Detection).
    ///
    /// - Throws: ``ModelStoreError`` for the file's layout and metadata, ``ModelValidationError`` for a graph value.
    public init(contentsOf url: URL) throws {
        let file = try SafeTensorsFile(contentsOf: url)
        let path = url.path
        guard let format = file.metadata[Self.formatKey] else {
            throw ModelStoreError.missingMetadata(file: path, key: Self.formatKey)
        }
        guard format == Self.formatVersion else {
            throw ModelStoreError.unsupportedFormatVersion(file: path, found: format, supported: Self.formatVersion)
        }
        let graph: NetworkGraph = try Self.decode(file.metadata, key: Self.graphKey, file: path)
        let manifest: ModelManifest = try Self.decode(file.metadata, key: Self.manifestKey, file: path)
        for tensor in file.tensors where tensor.dtype != .float32 {
            throw ModelStoreError.unsupportedDType(
                file: path, tensor: tensor.name, dtype: tensor.dtype.rawValue, supported: SafeTensorsDType.float32.rawValue)
        }
        // Graph values first (ranges, shapes with checked arithmetic), so a hostile attribute is named as such rather
        // than as a weight shape that disagrees with it.
        do {
            _ = try graph.outputShapes()
        } catch {
            throw ModelValidationError(error, file: path)
        }
        try GraphParameterCheck.validate(graph: graph, file: path) { file.info(named: $0)?.shape }
        try manifest.calibration?.validate(graph: graph, file: path)
        self.url = url
        self.graph = graph
        self.manifest = manifest
        self.tensors = file
    }

    /// Writes a native model to `url` after checking that `parameters` hold every tensor `graph` names, with fitting
    /// shapes. Parameters the graph does not use are written too.
    public static func write(
        to url: URL, graph: NetworkGraph, manifest: ModelManifest, parameters: [(name: String, shape: [Int], values: [Float])]
    ) throws {
        var shapes: [String: [Int]] = [:]
        for parameter in parameters {
            shapes[parameter.name] = parameter.shape
        }
        try GraphParameterCheck.validate(graph: graph, file: url.path) { shapes[$0] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let metadata = [
            formatKey: formatVersion,
            graphKey: String(decoding: try encoder.encode(graph), as: UTF8.self),
            manifestKey: String(decoding: try encoder.encode(manifest), as: UTF8.self),
        ]
        let tensors = parameters.map { SafeTensorsWriter.Tensor(name: $0.name, shape: $0.shape, values: $0.values) }
        try SafeTensorsWriter.write(tensors: tensors, metadata: metadata, to: url)
    }

    private static func decode<T: Decodable>(_ metadata: [String: String], key: String, file: String) throws -> T {
        guard let json = metadata[key] else { throw ModelStoreError.missingMetadata(file: file, key: key) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(json.utf8))
        } catch {
            throw ModelStoreError.invalidMetadata(file: file, key: key, reason: "not valid \(T.self) JSON")
        }
    }
}

extension ModelFile: ParameterSource {
    /// Names of all tensors in the file, sorted.
    public var parameterNames: [String] { tensors.parameterNames }

    /// Lends a parameter straight from the mapping (no copy); valid only inside `body`.
    public func withParameter<R>(named name: String, _ body: (ParameterView) throws -> R) throws -> R {
        try tensors.withParameter(named: name, body)
    }

    /// Drops the mapped pages of the named tensor (``ParameterSource/releaseParameter(named:)``).
    public func releaseParameter(named name: String) { tensors.releaseParameter(named: name) }
}
