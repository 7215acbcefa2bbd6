import Foundation
import SwiftProtobuf
import Testing

@testable import ModelImport

/// Files that are not TF SSD graphs get errors saying what was found and what is missing.
@Suite struct TensorFlowGraphErrorTests {
    /// A small non-SSD graph, built and serialized with the generated protobuf types.
    static func tinyGraph(prefix: String = "") throws -> Data {
        func node(
            _ name: String, _ op: String, _ inputs: [String] = [], _ attrs: [String: Tensorflow_AttrValue] = [:]
        )
            -> Tensorflow_NodeDef
        {
            var node = Tensorflow_NodeDef()
            node.name = prefix + name
            node.op = op
            node.input = inputs.map { prefix + $0 }
            node.attr = attrs
            return node
        }
        var weights = Tensorflow_TensorProto()
        weights.dtype = .dtFloat
        weights.tensorShape.dim = [Int64(1), 1, 3, 2].map { size in
            var dim = Tensorflow_TensorShapeProto.Dim()
            dim.size = size
            return dim
        }
        weights.floatVal = [0.5]
        var value = Tensorflow_AttrValue()
        value.tensor = weights
        var strides = Tensorflow_AttrValue()
        strides.list.i = [1, 1, 1, 1]
        var padding = Tensorflow_AttrValue()
        padding.s = Data("SAME".utf8)
        var graph = Tensorflow_GraphDef()
        graph.node = [
            node("image", "Placeholder"), node("w", "Const", [], ["value": value]),
            node("conv", "Conv2D", ["image", "w"], ["strides": strides, "padding": padding]), node("relu", "Relu", ["conv"]),
        ]
        return try graph.serializedBytes()
    }

    @Test func nonSSDGraph() throws {
        let data = try Self.tinyGraph()
        #expect(
            throws: ModelImportError.unsupportedGraph(
                file: "tiny.pb", missing: "no FeatureExtractor/MobilenetV2/… nodes (only MobileNetV2 feature extractors are supported)",
                found: "found 4 nodes, ops: Placeholder, Const, Conv2D, Relu")
        ) { try TensorFlowDetectionImporter().importGraph(serialized: data, file: "tiny.pb", source: "test") }
        #expect(
            ModelImportError.unsupportedGraph(file: "tiny.pb", missing: "no X", found: "found 4 nodes, ops: Const").description
                == "'tiny.pb' is not a supported TF Object Detection API SSD graph: no X; found 4 nodes, ops: Const")
    }

    @Test func backboneWithoutHeads() throws {
        let data = try Self.tinyGraph(prefix: "FeatureExtractor/MobilenetV2/")
        #expect(
            throws: ModelImportError.unsupportedGraph(
                file: "t.pb",
                missing: "no BoxPredictor_0/BoxEncodingPredictor/BiasAdd and BoxPredictor_0/ClassPredictor/BiasAdd (the SSD box predictor heads)",
                found: "found 4 nodes, ops: Placeholder, Const, Conv2D, Relu")
        ) { try TensorFlowDetectionImporter().importGraph(serialized: data, file: "t.pb", source: "test") }
    }

    /// The tiny graph's constant decodes (broadcast of a single float_val) and round-trips through the protobuf.
    @Test func generatedTypesRoundTrip() throws {
        let graph = try TensorFlowGraph(serialized: Self.tinyGraph(), file: "tiny.pb")
        #expect(graph.nodes.map(\.op) == ["Placeholder", "Const", "Conv2D", "Relu"])
        #expect(try graph.floats("w") == Array(repeating: 0.5, count: 6))
        #expect(try graph.constant("w").shape == [1, 1, 3, 2])
        #expect(graph.node(named: "conv")?.attr["strides"]?.list.i == [1, 1, 1, 1])
        #expect(TensorFlowGraph.nodeName(of: "^a/b:3") == "a/b")
    }

    @Test(arguments: [
        ([UInt8]("this is not a protobuf".utf8), "the bytes are not a valid protobuf"),
        ([0x0A, 0x05, 0x0A], "the protobuf data is truncated"),
        ([], "it decodes to a GraphDef without nodes"),
    ])
    func corruptBytes(bytes: [UInt8], reason: String) {
        #expect(throws: ModelImportError.notAGraphDef(file: "x.pb", reason: reason)) {
            try TensorFlowGraph(serialized: Data(bytes), file: "x.pb")
        }
    }

    @Test(.enabled(if: RealGraph.isAvailable, "needs frozen_inference_graph.pb"))
    func truncatedRealGraph() throws {
        let data = try Data(contentsOf: RealGraph.url)
        for length in [1000, data.count / 2, data.count - 1] {
            #expect(throws: ModelImportError.notAGraphDef(file: "cut.pb", reason: "the protobuf data is truncated"), "\(length) bytes") {
                try TensorFlowGraph(serialized: data.prefix(length), file: "cut.pb")
            }
        }
    }

    @Test func unsupportedFormatAndMissingFile() throws {
        let onnx = URL(fileURLWithPath: "/tmp/model.onnx")
        #expect(throws: ModelImportError.unsupportedFormat(file: onnx.path)) {
            try importModel(from: onnx, to: URL(fileURLWithPath: "/tmp/out.ssdd"), labels: nil)
        }
        #expect(
            ModelImportError.unsupportedFormat(file: "/tmp/model.onnx").description
                == "'/tmp/model.onnx': unsupported model format; expected a TensorFlow frozen graph (.pb) or a torchvision SSD checkpoint (.pth)")
        #expect(throws: ModelImportError.self) {
            try importTensorFlowGraph(at: URL(fileURLWithPath: "/nonexistent/graph.pb"), labels: nil)
        }
    }

    @Test(.enabled(if: RealGraph.isAvailable, "needs frozen_inference_graph.pb"))
    func wrongLabelCount() {
        #expect(throws: ModelImportError.labelCount(file: RealGraph.url.path, slots: 2, given: 3)) {
            try importTensorFlowGraph(at: RealGraph.url, labels: ["a", "b", "c"])
        }
    }
}
