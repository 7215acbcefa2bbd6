import Foundation
import NeuralNet

/// What `ssdd model info` shows about a native model file.
public struct ModelSummary: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var architecture: String
    public var source: String
    public var inputWidth: Int
    public var inputHeight: Int
    public var labels: [String]
    /// Total float32 elements over all tensors.
    public var parameterCount: Int
    public var tensorCount: Int
    public var fileSize: Int
    /// Graph nodes and outputs.
    public var nodeCount: Int
    public var outputCount: Int

    /// Multi-line human-readable report.
    public var description: String {
        [
            "model:        \(path)",
            "architecture: \(architecture)",
            "source:       \(source)",
            "input:        \(inputWidth)x\(inputHeight)",
            "labels:       \(labels.count) (\(labels.joined(separator: ", ")))",
            "parameters:   \(parameterCount) in \(tensorCount) tensors",
            "graph:        \(nodeCount) nodes, \(outputCount) outputs",
            "file size:    \(fileSize) bytes",
        ].joined(separator: "\n")
    }
}

extension ModelFile {
    /// Architecture, input size, labels, parameter and tensor counts and file size.
    public var summary: ModelSummary {
        ModelSummary(
            path: url.path, architecture: manifest.architecture, source: manifest.source,
            inputWidth: manifest.preprocessing.inputWidth, inputHeight: manifest.preprocessing.inputHeight,
            labels: manifest.labels, parameterCount: tensors.tensors.reduce(0) { $0 + $1.elementCount },
            tensorCount: tensors.tensors.count, fileSize: tensors.fileSize, nodeCount: graph.nodes.count,
            outputCount: graph.outputs.count)
    }
}
