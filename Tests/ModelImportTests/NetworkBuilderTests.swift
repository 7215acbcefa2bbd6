import Foundation
import NeuralNet
import SwiftProtobuf
import TestSupport
import Testing

@testable import ModelImport

/// The graph converter on hand-made GraphDefs: fusion, TF-SAME padding, folding names, unsupported ops.
@Suite struct NetworkBuilderTests {
    static func node(
        _ name: String, _ op: String, _ inputs: [String] = [], _ attrs: [String: Tensorflow_AttrValue] = [:]
    )
        -> Tensorflow_NodeDef
    {
        var node = Tensorflow_NodeDef()
        node.name = name
        node.op = op
        node.input = inputs
        node.attr = attrs
        return node
    }

    static func constant(_ name: String, shape: [Int64], values: [Float]) -> Tensorflow_NodeDef {
        var tensor = Tensorflow_TensorProto()
        tensor.dtype = .dtFloat
        tensor.tensorShape.dim = shape.map { size in
            var dim = Tensorflow_TensorShapeProto.Dim()
            dim.size = size
            return dim
        }
        tensor.tensorContent = Data(littleEndianBytes(values))
        var value = Tensorflow_AttrValue()
        value.tensor = tensor
        return node(name, "Const", [], ["value": value])
    }

    static func convolutionAttributes(stride: Int64) -> [String: Tensorflow_AttrValue] {
        var strides = Tensorflow_AttrValue()
        strides.list.i = [1, stride, stride, 1]
        var padding = Tensorflow_AttrValue()
        padding.s = Data("SAME".utf8)
        return ["strides": strides, "padding": padding]
    }

    /// input [8, 5, 2] → 3×3 stride-2 conv (2→4) + FusedBatchNorm + Relu6 → Identity tap; then an unsupported Sigmoid.
    static func graph() throws -> TensorFlowGraph {
        var epsilon = Tensorflow_AttrValue()
        epsilon.f = 0.5
        var graph = Tensorflow_GraphDef()
        graph.node = [
            node("input", "Placeholder"),
            constant("block/weights", shape: [3, 3, 2, 4], values: (0..<72).map { Float($0) }),
            node("block/weights/read", "Identity", ["block/weights"]),
            node("block/Conv2D", "Conv2D", ["input", "block/weights/read"], convolutionAttributes(stride: 2)),
            constant("block/BatchNorm/gamma", shape: [4], values: [1, 2, 3, 4]),
            constant("block/BatchNorm/beta", shape: [4], values: [0, 0, 0, 1]),
            constant("block/BatchNorm/moving_mean", shape: [4], values: [0, 1, 0, 0]),
            constant("block/BatchNorm/moving_variance", shape: [4], values: [0.5, 0.5, 0.5, 3.5]),
            node(
                "block/BatchNorm/FusedBatchNorm", "FusedBatchNorm",
                ["block/Conv2D"] + ["gamma", "beta", "moving_mean", "moving_variance"].map { "block/BatchNorm/\($0)" },
                ["epsilon": epsilon]),
            node("block/Relu6", "Relu6", ["block/BatchNorm/FusedBatchNorm"]),
            node("block/output", "Identity", ["block/Relu6"]),
            node("squash", "Sigmoid", ["block/output"]),
        ]
        return try TensorFlowGraph(serialized: graph.serializedBytes(), file: "hand.pb")
    }

    @Test func foldsFusesAndPads() throws {
        var builder = TensorFlowNetworkBuilder(graph: try Self.graph(), inputNode: "input", inputName: "input", inputShape: [8, 5, 2])
        #expect(try builder.convert("block/output") == "block/Relu6")
        #expect(builder.nodes.count == 1)
        #expect(builder.shapes["block/Relu6"] == [4, 3, 4])
        let expected = Convolution(
            weight: "block/weights", bias: "block/biases", outChannels: 4, kernelHeight: 3, kernelWidth: 3, strideY: 2,
            strideX: 2, padding: Padding(top: 0, left: 1, bottom: 1, right: 1), activation: .relu6)
        #expect(builder.nodes[0] == NetworkNode(name: "block/Relu6", inputs: ["input"], operation: .convolution(expected)))
        #expect(builder.parameters.map(\.name) == ["block/weights", "block/biases"])
        #expect(builder.parameters[1].values == [0, -2, 0, 1])  // beta − mean·gamma/sqrt(var + 0.5)
        // OIHW [o 1, i 0, y 0, x 0] ← HWIO [0, 0, 0, 1] = 1, scaled by 2/sqrt(1).
        #expect(builder.parameters[0].values[1 * 18] == 2)
        #expect(builder.sourceParameterCount == 72 + 8 && builder.movingStatisticCount == 8 && builder.foldedBatchNormCount == 1)
    }

    @Test func unsupportedOpNamesNodeAndOp() throws {
        var builder = TensorFlowNetworkBuilder(graph: try Self.graph(), inputNode: "input", inputName: "input", inputShape: [8, 5, 2])
        #expect(
            throws: ModelImportError.unsupportedNode(
                file: "hand.pb", node: "squash", op: "Sigmoid",
                reason:
                    "this op is not supported inside the network (supported: Conv2D, DepthwiseConv2dNative, FusedBatchNorm, BiasAdd, Relu, Relu6, Add, Identity)"
            )
        ) { try builder.convert("squash") }
    }

    @Test func inputChannelMismatch() throws {
        var builder = TensorFlowNetworkBuilder(graph: try Self.graph(), inputNode: "input", inputName: "input", inputShape: [8, 6, 3])
        #expect(
            throws: ModelImportError.unsupportedNode(
                file: "hand.pb", node: "block/Conv2D", op: "Conv2D", reason: "weights expect 2 input channels, the input has 3")
        ) { try builder.convert("block/Relu6") }
    }
}
