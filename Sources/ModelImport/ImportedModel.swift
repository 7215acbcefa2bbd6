import ModelStore
import NeuralNet

/// A converted model, ready for ``ModelStore/ModelFile/write(to:graph:manifest:parameters:)``.
public struct ImportedModel: Sendable {
    /// The network, from the preprocessed input to the head outputs.
    public var graph: NetworkGraph
    public var manifest: ModelManifest
    /// Converted float32 tensors (OIHW weights with BatchNorm folded in, biases), named as `graph` names them.
    public var parameters: [(name: String, shape: [Int], values: [Float])]
    /// Counts describing the conversion.
    public var statistics: ImportStatistics

    public init(
        graph: NetworkGraph, manifest: ModelManifest, parameters: [(name: String, shape: [Int], values: [Float])],
        statistics: ImportStatistics
    ) {
        self.graph = graph
        self.manifest = manifest
        self.parameters = parameters
        self.statistics = statistics
    }

    /// Total elements of `parameters`.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.values.count } }
}

/// What an import read and produced, for reports and tests.
public struct ImportStatistics: Sendable, Equatable {
    /// Nodes in the source graph.
    public var sourceNodeCount: Int
    /// Trainable elements consumed from the source: weights, biases, BN gamma and beta.
    public var sourceParameterCount: Int
    /// BN moving mean and variance elements consumed (folded away).
    public var movingStatisticCount: Int
    /// BatchNorms folded into convolutions.
    public var foldedBatchNormCount: Int
    /// Anchors the heads predict for (Σ grid cells × anchors per cell).
    public var anchorCount: Int

    public init(
        sourceNodeCount: Int, sourceParameterCount: Int, movingStatisticCount: Int, foldedBatchNormCount: Int,
        anchorCount: Int
    ) {
        self.sourceNodeCount = sourceNodeCount
        self.sourceParameterCount = sourceParameterCount
        self.movingStatisticCount = movingStatisticCount
        self.foldedBatchNormCount = foldedBatchNormCount
        self.anchorCount = anchorCount
    }
}
