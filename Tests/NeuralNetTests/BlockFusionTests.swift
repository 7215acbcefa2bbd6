import NeuralNet
import TensorEngine
import TestSupport
import Testing

/// Which steps the compiler fuses into inverted-residual blocks, and that fused networks still compute the graph.
@Suite("Network fuses inverted-residual blocks")
struct BlockFusionTests {
    @Test func ssdLiteBlocksRunAsOneStepEach() throws {
        let b = SSDLiteMobileNetV2Graph.make(inputSize: 64)
        let network = try Network(graph: b.graph, parameters: b.randomParameters(seed: 3))
        let (_, timings) = try network.forwardProfiled(Tensor.random(shape: [64, 64, 3], seed: 4))
        let block = "conv1x1/tiledGEMM+conv3x3g/depthwise3x3+conv1x1/tiledGEMM"
        let kinds = timings.map(\.kind)
        // The ten blocks with a residual (stride 1, same channels), under the name of their add.
        #expect(kinds.filter { $0 == block + "+add" }.count == 10)
        #expect(timings.filter { $0.kind == block + "+add" }.allSatisfy { $0.name.hasSuffix("/add") })
        // Blocks 1, 3, 6, 10, 16 and the four extra layers (1×1, depthwise stride 2, 1×1) have no residual. Block 13's
        // expansion is also a feature map (a graph output's input), so only its depthwise and projection fuse.
        #expect(kinds.filter { $0 == block }.count == 9)
        #expect(timings.contains { $0.name == "FeatureExtractor/MobilenetV2/expanded_conv_13/expand" && $0.kind == "conv1x1/tiledGEMM" })
        // The first block's expansion is the 3×3/2 stem; the twelve box predictors have none.
        #expect(kinds.filter { $0 == "conv3x3/tiledGEMM+conv3x3g/depthwise3x3+conv1x1/tiledGEMM" }.count == 1)
        #expect(kinds.filter { $0 == "conv3x3g/depthwise3x3+conv1x1/tiledGEMM" }.count == 1 + 12)
        #expect(!kinds.contains("add"))
    }

    /// A projection that is also a graph output keeps its value: the block fuses without its add.
    @Test func projectionReadTwiceKeepsItsAdd() throws {
        var b = GraphBuilder(inputShape: [9, 9, 16])
        let e = b.conv("expand", "input", out: 48, activation: .relu6)
        let d = b.depthwise("depthwise", e, stride: 1)
        let p = b.conv("project", d, out: 16, activation: .none)
        let sum = b.add("add", ["input", p], .add(activation: .relu))
        b.graph.outputs = [sum, p]
        let params = b.randomParameters(seed: 9)
        let input = Tensor.random(shape: [9, 9, 16], seed: 10)
        let reference = try Network(graph: b.graph, parameters: params, options: NetworkOptions(referenceKernels: true)).forward(input)
        for threads in [1, 2] {
            let network = try Network(graph: b.graph, parameters: params, options: NetworkOptions(threads: threads))
            let (outputs, timings) = try network.forwardProfiled(input)
            #expect(timings.map(\.kind) == ["conv1x1/tiledGEMM+conv3x3g/depthwise3x3+conv1x1/tiledGEMM", "add"])
            #expect(timings.map(\.name) == ["project", "add"])
            for (index, (f, r)) in zip(outputs, reference).enumerated() {
                assertClose(f, r, tolerance: 1e-4, "output \(index), \(threads) threads")
            }
        }
    }
}
