import Foundation
import NeuralNet
import SwiftProtobuf
import TestSupport
import Testing

@testable import ModelImport

/// Hostile TensorFlow graphs, each built here: bad input lists, overflowing shapes and attributes, allocation bombs and
/// deep chains end in an exact ``ModelImportError`` naming the node, never in a trap or a stack overflow.
@Suite("Hostile TensorFlow graphs")
struct HostileGraphTests {
    typealias Builder = NetworkBuilderTests

    static func graph(_ nodes: [Tensorflow_NodeDef]) throws -> Data {
        var graph = Tensorflow_GraphDef()
        graph.node = nodes
        return try graph.serializedBytes()
    }

    static func parse(_ nodes: [Tensorflow_NodeDef]) throws -> TensorFlowGraph {
        try TensorFlowGraph(serialized: graph(nodes), file: "h.pb")
    }

    /// A Const holding one float broadcast to `shape` (or `int64` values when given).
    static func broadcast(_ name: String, shape: [Int64], float: Float = 1) -> Tensorflow_NodeDef {
        var tensor = Tensorflow_TensorProto()
        tensor.dtype = .dtFloat
        tensor.tensorShape.dim = shape.map { size in
            var dim = Tensorflow_TensorShapeProto.Dim()
            dim.size = size
            return dim
        }
        tensor.floatVal = [float]
        var value = Tensorflow_AttrValue()
        value.tensor = tensor
        return Builder.node(name, "Const", [], ["value": value])
    }

    static func integers(_ name: String, _ values: [Int64]) -> Tensorflow_NodeDef {
        var tensor = Tensorflow_TensorProto()
        tensor.dtype = .dtInt64
        var dim = Tensorflow_TensorShapeProto.Dim()
        dim.size = Int64(values.count)
        tensor.tensorShape.dim = values.count == 1 ? [] : [dim]
        tensor.int64Val = values
        var value = Tensorflow_AttrValue()
        value.tensor = tensor
        return Builder.node(name, "Const", [], ["value": value])
    }

    static func malformed(_ node: String, _ op: String, _ reason: String) -> ModelImportError {
        ModelImportError.malformedNode(file: "h.pb", node: node, op: op, reason: reason)
    }

    // MARK: Input lists

    @Test(
        "input counts, control edges, ports and unknown names are checked when the graph is parsed",
        arguments: [
            (["BiasAdd:b:x"], "b", "BiasAdd", "it has 1 data input, BiasAdd takes 2"),
            (["Sqrt:s:"], "s", "Sqrt", "it has 0 data inputs, Sqrt takes 1"),
            (["Relu:r:x", "Add:add:^x,r"], "add", "Add", "data input 1 'r' follows a control input (control inputs '^name' come last)"),
            (["Relu:r:x", "Add:add:r,^x"], "add", "Add", "it has 1 data input, Add takes 2"),
            (["Relu:r:nowhere"], "r", "Relu", "input 0 'nowhere' names no node of the graph"),
            (["Relu:r:x:y"], "r", "Relu", "input 0 'x:y' is not 'name', 'name:port' or '^name'"),
            (["Relu:r:^x:1"], "r", "Relu", "input 0 '^x:1' is not 'name', 'name:port' or '^name'"),
            (["Relu:r:x:-1"], "r", "Relu", "input 0 'x:-1' is not 'name', 'name:port' or '^name'"),
            (["Relu:r:x:99999999999999999999"], "r", "Relu", "input 0 'x:99999999999999999999' is not 'name', 'name:port' or '^name'"),
            (["Relu:r:x:٣"], "r", "Relu", "input 0 'x:٣' is not 'name', 'name:port' or '^name'"),
            (["Relu:r:^"], "r", "Relu", "input 0 '^' is not 'name', 'name:port' or '^name'"),
            (["Identity:i:^x"], "i", "Identity", "it has 0 data inputs, Identity takes 1"),
            (["Conv2D:c:x"], "c", "Conv2D", "it has 1 data input, Conv2D takes 2"),
            (["FusedBatchNorm:bn:x,x,x,x"], "bn", "FusedBatchNorm", "it has 4 data inputs, FusedBatchNorm takes 5"),
            (["NonMaxSuppressionV5:nms:x,x,x,x,x"], "nms", "NonMaxSuppressionV5", "it has 5 data inputs, NonMaxSuppressionV5 takes 6"),
            (["Const:k:x"], "k", "Const", "it has 1 data input, Const takes 0"),
        ])
    func inputLists(_ specs: [String], _ node: String, _ op: String, _ reason: String) throws {
        // "Op:name:input,input" per extra node, after a Placeholder 'x'.
        let nodes =
            [Builder.node("x", "Placeholder")]
            + specs.map { spec in
                let parts = spec.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
                return Builder.node(parts[1], parts[0], parts[2].isEmpty ? [] : parts[2].split(separator: ",").map(String.init))
            }
        #expect(throws: Self.malformed(node, op, reason)) { try Self.parse(nodes) }
        #expect(
            Self.malformed(node, op, reason).description
                == "'h.pb': node '\(node)' (op \(op)) is malformed: \(reason); the graph is corrupt or was not written by TensorFlow")
    }

    @Test("a megabyte-long input name is cut short in the message")
    func longNames() throws {
        let long = String(repeating: "n", count: 1 << 20)
        let nodes = [Builder.node("x", "Placeholder"), Builder.node("r", "Relu", [long])]
        do {
            _ = try Self.parse(nodes)
            Issue.record("accepted")
        } catch let error as ModelImportError {
            #expect(error.description.count < 600)
            #expect(error.description.contains("… (1048576 bytes)' names no node of the graph"))
        }
    }

    @Test("reading output 1 of a network layer or of a Const is an error naming the node")
    func ports() throws {
        let graph = try Self.parse([
            Builder.node("input", "Placeholder"),
            Builder.constant("w", shape: [1, 1, 2, 2], values: [1, 0, 0, 1]),
            Builder.node("conv", "Conv2D", ["input", "w"], Builder.convolutionAttributes(stride: 1)),
            Builder.node("relu", "Relu", ["conv:1"]),
            Builder.node("conv2", "Conv2D", ["input", "w:1"], Builder.convolutionAttributes(stride: 1)),
        ])
        var builder = TensorFlowNetworkBuilder(graph: graph, inputNode: "input", inputName: "input", inputShape: [4, 4, 2])
        #expect(
            throws: ModelImportError.unsupportedNode(
                file: "h.pb", node: "conv", op: "Conv2D", reason: "its output 1 is read; only output 0 of network layers is supported")
        ) { try builder.convert("relu") }
        #expect(
            throws: ModelImportError.invalidConstant(
                file: "h.pb", node: "w", reason: "is read as output 1, but a Const has only output 0")
        ) { try builder.convert("conv2") }
    }

    // MARK: Shapes and allocation bombs

    @Test("constants whose shapes overflow or whose broadcast the file cannot justify are refused before allocating")
    func constantBombs() throws {
        let huge = Int64(Int32.max)
        let graph = try Self.parse([
            Self.broadcast("tall", shape: [huge, 3]),
            Self.broadcast("cube", shape: [huge, huge, huge]),
            Self.broadcast("square", shape: [1 << 31, 1 << 31]),
            Self.broadcast("negative", shape: [-1, 3]),
            Self.broadcast("gigabyte", shape: [16384, 16384]),
            Self.broadcast("deep", shape: [Int64](repeating: 1, count: 9)),
        ])
        let fileSize = try Self.graph(graph.nodes).count
        #expect(fileSize < 500)
        #expect(
            throws: ModelImportError.invalidConstant(
                file: "h.pb", node: "tall",
                reason: "has shape [2147483647, 3] (6442450941 elements), more than the 4194304 a \(fileSize)-byte graph can "
                    + "justify; the file is corrupt or hostile")
        ) { try graph.floats("tall") }
        #expect(
            throws: ModelImportError.invalidConstant(
                file: "h.pb", node: "gigabyte",
                reason: "has shape [16384, 16384] (268435456 elements), more than the 4194304 a \(fileSize)-byte graph can "
                    + "justify; the file is corrupt or hostile")
        ) { try graph.floats("gigabyte") }
        for (name, shape) in [("cube", "[2147483647, 2147483647, 2147483647]"), ("square", "[2147483648, 2147483648]"), ("negative", "[-1, 3]")] {
            #expect(
                throws: ModelImportError.invalidConstant(
                    file: "h.pb", node: name,
                    reason: "has an invalid shape \(shape) (a negative or too large dimension, or more than \(Int.max) elements)")
            ) { try graph.floats(name) }
        }
        #expect(throws: ModelImportError.invalidConstant(file: "h.pb", node: "deep", reason: "has rank 9, expected at most 8")) {
            try graph.floats("deep")
        }
    }

    @Test("many constants that each fit the per-constant limit still stop at the file's total")
    func totalBudget() throws {
        let nodes = (0..<5).map { Self.broadcast("c\($0)", shape: [2048, 2048]) }
        let graph = try Self.parse(nodes)
        for index in 0..<4 { #expect(try graph.floats("c\(index)").count == 1 << 22) }
        #expect(
            throws: ModelImportError.invalidConstant(
                file: "h.pb", node: "c4",
                reason: "would bring the decoded constants to more than 16777216 elements, all a \(try Self.graph(nodes).count)-byte "
                    + "graph can justify; the file is corrupt or hostile")
        ) { try graph.floats("c4") }
    }

    @Test(
        "strides and dilations out of range, and kernels dilated past the limit, name the node",
        arguments: [
            (
                [1, Int64.max, Int64.max, 1], [1, 1, 1, 1],
                "strides [1, 9223372036854775807, 9223372036854775807, 1] / dilations [1, 1, 1, 1] are not NHWC [1, y, x, 1] with y and x in 1...1024"
            ),
            ([1, -2, 1, 1], [1, 1, 1, 1], "strides [1, -2, 1, 1] / dilations [1, 1, 1, 1] are not NHWC [1, y, x, 1] with y and x in 1...1024"),
            ([1, 0, 0, 1], [1, 1, 1, 1], "strides [1, 0, 0, 1] / dilations [1, 1, 1, 1] are not NHWC [1, y, x, 1] with y and x in 1...1024"),
            (
                [1, 1, 1, 1], [1, 1 << 62, 1, 1],
                "strides [1, 1, 1, 1] / dilations [1, 4611686018427387904, 1, 1] are not NHWC [1, y, x, 1] with y and x in 1...1024"
            ),
            ([1, 1, 1, 1], [1, 1024, 1024, 1], "kernel 5×5 with dilations 1024×1024 spans more than 4096 pixels"),
            (
                [Int64](repeating: 1, count: 100_000), [1, 1, 1, 1],
                "strides (100000 values) / dilations [1, 1, 1, 1] are not NHWC [1, y, x, 1] with y and x in 1...1024"
            ),
        ] as [([Int64], [Int64], String)])
    func convolutionAttributes(_ strides: [Int64], _ dilations: [Int64], _ reason: String) throws {
        var attributes = Builder.convolutionAttributes(stride: 1)
        attributes["strides"]?.list.i = strides
        var dilation = Tensorflow_AttrValue()
        dilation.list.i = dilations
        attributes["dilations"] = dilation
        let graph = try Self.parse([
            Builder.node("input", "Placeholder"),
            Builder.constant("w", shape: [5, 5, 1, 1], values: Array(repeating: 1, count: 25)),
            Builder.node("conv", "Conv2D", ["input", "w"], attributes),
        ])
        var builder = TensorFlowNetworkBuilder(graph: graph, inputNode: "input", inputName: "input", inputShape: [300, 300, 1])
        #expect(throws: ModelImportError.unsupportedNode(file: "h.pb", node: "conv", op: "Conv2D", reason: reason)) {
            try builder.convert("conv")
        }
    }

    @Test("a layer whose output would exceed 2^28 elements is refused")
    func hugeActivation() throws {
        let graph = try Self.parse([
            Builder.node("input", "Placeholder"),
            Self.broadcast("w", shape: [1, 1, 1, 4096]),
            Builder.node("conv", "Conv2D", ["input", "w"], Builder.convolutionAttributes(stride: 1)),
        ])
        var builder = TensorFlowNetworkBuilder(graph: graph, inputNode: "input", inputName: "input", inputShape: [4096, 4096, 1])
        #expect(
            throws: ModelImportError.unsupportedNode(
                file: "h.pb", node: "conv", op: "Conv2D", reason: "its output [4096, 4096, 4096] has more than 268435456 elements")
        ) { try builder.convert("conv") }
    }

    @Test("a BatchNorm whose variance + epsilon is not positive is refused instead of folding NaNs")
    func negativeVariance() throws {
        let graph = try Self.parse([
            Builder.node("input", "Placeholder"),
            Builder.constant("w", shape: [1, 1, 1, 1], values: [1]),
            Builder.node("conv", "Conv2D", ["input", "w"], Builder.convolutionAttributes(stride: 1)),
            Builder.constant("one", shape: [1], values: [1]),
            Builder.constant("minus", shape: [1], values: [-1]),
            Builder.node("bn", "FusedBatchNorm", ["conv", "one", "one", "one", "minus"]),
        ])
        var builder = TensorFlowNetworkBuilder(graph: graph, inputNode: "input", inputName: "input", inputShape: [2, 2, 1])
        #expect(
            throws: ModelImportError.unsupportedNode(
                file: "h.pb", node: "bn", op: "FusedBatchNorm", reason: "its parameters must be finite and variance + epsilon positive")
        ) { try builder.convert("bn") }
    }

    // MARK: Depth

    @Test("a chain of 200,000 Identity nodes is walked without recursion")
    func longIdentityChain() throws {
        let count = 200_000
        var nodes = [
            Builder.node("input", "Placeholder"),
            Builder.constant("w", shape: [1, 1, 1, 1], values: [2]),
            Builder.node("conv", "Conv2D", ["input", "w"], Builder.convolutionAttributes(stride: 1)),
            Builder.node("i0", "Identity", ["conv"]),
        ]
        nodes += (1..<count).map { Builder.node("i\($0)", "Identity", ["i\($0 - 1)"]) }
        nodes.append(Builder.node("relu", "Relu", ["i\(count - 1)"]))
        nodes.append(Builder.node("weights_tap", "Identity", ["w"]))
        let graph = try Self.parse(nodes)
        #expect(graph.resolvingIdentity("i\(count - 1)")?.name == "conv")
        var builder = TensorFlowNetworkBuilder(graph: graph, inputNode: "input", inputName: "input", inputShape: [2, 2, 1])
        #expect(try builder.convert("relu") == "relu")
        #expect(builder.nodes.count == 1)
        #expect(try builder.convert("i12345") == "relu")
    }

    @Test("an Identity cycle is an error, not a hang")
    func identityCycle() throws {
        let graph = try Self.parse([
            Builder.node("a", "Identity", ["b"]), Builder.node("b", "Identity", ["a"]), Builder.node("r", "Relu", ["a"]),
        ])
        #expect(graph.resolvingIdentity("a") == nil)
        var builder = TensorFlowNetworkBuilder(graph: graph, inputNode: "input", inputName: "input", inputShape: [2, 2, 1])
        #expect(
            throws: ModelImportError.unsupportedNode(
                file: "h.pb", node: "b", op: "Identity", reason: "the graph has a cycle of Identity nodes")
        ) { try builder.convert("r") }
    }

    @Test("a chain of layers deeper than the limit is an error; one at the limit converts")
    func deepChain() throws {
        func chain(_ length: Int) throws -> TensorFlowGraph {
            try Self.parse(
                [Builder.node("input", "Placeholder")]
                    + (0..<length).map { Builder.node("r\($0)", "Relu", [$0 == 0 ? "input" : "r\($0 - 1)"]) })
        }
        let limit = TensorFlowNetworkBuilder.maximumDepth
        var deep = TensorFlowNetworkBuilder(graph: try chain(limit + 1), inputNode: "input", inputName: "input", inputShape: [2, 2, 1])
        #expect(
            throws: ModelImportError.unsupportedNode(
                file: "h.pb", node: "r0", op: "Relu", reason: "the network is more than \(limit) layers deep")
        ) { try deep.convert("r\(limit)") }
        var fits = TensorFlowNetworkBuilder(graph: try chain(limit), inputNode: "input", inputName: "input", inputShape: [2, 2, 1])
        #expect(try fits.convert("r\(limit - 1)") == "r\(limit - 1)")
        #expect(fits.nodes.count == limit)
    }

    // MARK: Settings

    @Test("NMS limits, resize sizes and box coder scales out of range are refused")
    func settings() throws {
        let nms = "Postprocessor/BatchMultiClassNonMaxSuppression/nms"
        for (limit, shown) in [(Int64(-1), "-1"), (Int64.max, "9223372036854775807"), (0, "0")] {
            let graph = try Self.parse([
                Builder.node("x", "Placeholder"), Self.integers("limit", [limit]),
                Builder.constant("iou", shape: [], values: [0.6]), Builder.constant("score", shape: [], values: [0.1]),
                Builder.node(nms, "NonMaxSuppressionV3", ["x", "x", "limit", "iou", "score"]),
            ])
            #expect(
                throws: ModelImportError.invalidConstant(
                    file: "h.pb", node: "limit", reason: "holds NMS limit \(shown), expected 1...100000")
            ) { try TensorFlowDetectionSettings.postprocessing(in: graph) }
        }
        let badIoU = try Self.parse([
            Builder.node("x", "Placeholder"), Self.integers("limit", [100]),
            Builder.constant("iou", shape: [], values: [.nan]), Builder.constant("score", shape: [], values: [0.1]),
            Builder.node(nms, "NonMaxSuppressionV3", ["x", "x", "limit", "iou", "score"]),
        ])
        #expect(
            throws: ModelImportError.unsupportedNode(
                file: "h.pb", node: nms, op: "NonMaxSuppressionV3",
                reason: "IoU threshold nan must be in [0, 1] and score threshold 0.1 finite and at most 1")
        ) { try TensorFlowDetectionSettings.postprocessing(in: badIoU) }

        let resize = try Self.parse([
            Builder.node("image", "Placeholder"), Self.integers("size", [40000, 40000]),
            Builder.node("Preprocessor/resize", "ResizeBilinear", ["image", "size"]),
            Builder.constant("scale", shape: [], values: [2]), Builder.constant("offset", shape: [], values: [1]),
            Builder.node("mul", "Mul", ["scale", "Preprocessor/resize"]), Builder.node("sub", "Sub", ["mul", "offset"]),
        ])
        #expect(
            throws: ModelImportError.invalidConstant(
                file: "h.pb", node: "size", reason: "holds resize size [40000, 40000], expected [height, width] with each in 1...4096")
        ) { try TensorFlowDetectionSettings.preprocessing(in: resize, backboneInput: "sub") }

        let coder = try Self.parse([
            Builder.node("Postprocessor/Decode/unstack", "Placeholder"), Builder.constant("zero", shape: [], values: [0]),
            Builder.node("Postprocessor/Decode/div", "RealDiv", ["Postprocessor/Decode/unstack:2", "zero"]),
        ])
        #expect(
            throws: ModelImportError.invalidConstant(
                file: "h.pb", node: "zero", reason: "holds box coder scale 0.0, expected a positive finite number")
        ) { try TensorFlowDetectionSettings.boxCoding(in: coder) }
    }

    @Test("a model import of a FIFO is refused instead of blocking")
    func fifo() throws {
        let directory = try TemporaryDirectory(prefix: "ssdd-import-tests")
        defer { directory.remove() }
        let path = directory.file("graph.pb").path
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: ModelImportError.cannotRead(file: path, reason: "not a regular file (a directory, FIFO, socket or device)")) {
            try importTensorFlowGraph(at: URL(fileURLWithPath: path), labels: nil)
        }
    }
}
