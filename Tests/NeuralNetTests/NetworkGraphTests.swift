import NeuralNet
import TensorEngine
import TestSupport
import Testing

@Suite("Network executes graphs")
struct NetworkGraphTests {
    /// A graph using every operation: conv (bias, relu), depthwise (relu6, TF-SAME), pool with ceil, add, concat,
    /// L2 normalise, standalone activation, and an output read twice.
    static func everyOpGraph() -> GraphBuilder {
        var b = GraphBuilder(inputShape: [11, 11, 8])
        let c1 = b.conv("c1", "input", out: 16, kernel: 3, padding: .uniform(1), activation: .relu)
        let dw = b.depthwise("dw", c1, stride: 2)
        let pool = b.maxPool("pool", c1, kernel: 2, stride: 2, ceil: true)
        let sum = b.add("sum", [dw, pool], .add(activation: .relu6))
        let cat = b.add("cat", [sum, dw], .concatenate)
        let norm = b.add("norm", [cat], .l2Normalize(scale: "norm/scale", epsilon: 1e-12))
        let act = b.add("act", [norm], .activation(.relu))
        let head = b.conv("head", act, out: 5, kernel: 1, activation: .none, bias: false)
        b.graph.outputs = [head, sum]
        return b
    }

    @Test func everyOpMatchesReferenceComposition() throws {
        let b = Self.everyOpGraph()
        let params = b.randomParameters(seed: 5)
        let input = Tensor.random(shape: [11, 11, 8], seed: 6)
        func p(_ name: String) -> Tensor {
            let entry = params.tensors[name]!
            return Tensor(shape: entry.shape, values: entry.values)
        }
        let c1 = input.conv2d(
            weights: p("c1/weights"), bias: p("c1/biases"),
            options: Conv2DOptions(padding: .uniform(1), activation: .relu), algorithm: .reference)
        let dw = c1.conv2d(
            weights: p("dw/weights"), bias: p("dw/biases"),
            options: Conv2DOptions(
                strideY: 2, strideX: 2, groups: 16,
                padding: Padding2D(top: 1, left: 1, bottom: 1, right: 1), activation: .relu6),
            algorithm: .reference)
        let pool = c1.maxPool(kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2, ceilMode: true, algorithm: .reference)
        let sum = dw.adding(pool, activation: .relu6, algorithm: .reference)
        let norm = Tensor.concatenatingChannels([sum, dw]).l2Normalized(scale: p("norm/scale"), epsilon: 1e-12)
        let head = norm.activated(.relu, algorithm: .reference).conv2d(weights: p("head/weights"), algorithm: .reference)

        for threads in [1, 2] {
            let network = try Network(graph: b.graph, parameters: params, options: NetworkOptions(threads: threads))
            #expect(network.outputShapes == [[6, 6, 5], [6, 6, 16]])
            let outputs = try network.forward(input)
            assertClose(outputs[0], head, tolerance: 1e-5, "head, \(threads) threads")
            assertClose(outputs[1], sum, tolerance: 1e-5, "sum, \(threads) threads")
            let again = try network.forward(input.reshaped([1, 11, 11, 8]))
            #expect(again == outputs, "second forward (reused buffers, batch-1 input) differs")
        }
    }

    @Test func profileNamesEveryNode() throws {
        let b = Self.everyOpGraph()
        let network = try Network(graph: b.graph, parameters: b.randomParameters(seed: 5))
        let (outputs, timings) = try network.forwardProfiled(Tensor.random(shape: [11, 11, 8], seed: 1))
        #expect(outputs.count == 2)
        #expect(timings.map(\.name) == b.graph.nodes.map(\.name))
        #expect(timings.first?.kind == "conv3x3/tiledGEMM" && timings[1].kind == "conv3x3g/depthwise3x3")
        #expect(network.multiplyAccumulateCount == 11 * 11 * 16 * 8 * 9 + 6 * 6 * 16 * 9 + 6 * 6 * 5 * 32)
    }

    @Test(arguments: [28, 64])
    func ssdLiteFastMatchesReferenceKernels(inputSize: Int) throws {
        let b = SSDLiteMobileNetV2Graph.make(inputSize: inputSize)
        let params = b.randomParameters(seed: 7)
        let input = Tensor.random(shape: [inputSize, inputSize, 3], seed: 8)
        let fast = try Network(graph: b.graph, parameters: params, options: NetworkOptions(threads: 2)).forward(input)
        let reference = try Network(graph: b.graph, parameters: params, options: NetworkOptions(referenceKernels: true))
            .forward(input)
        for (index, (f, r)) in zip(fast, reference).enumerated() {
            assertClose(f, r, tolerance: 1e-4, "SSDLite \(inputSize) output \(b.graph.outputs[index])")
        }
    }

    @Test func ssdLite300Shapes() throws {
        let b = SSDLiteMobileNetV2Graph.make()
        let network = try Network(graph: b.graph, parameters: b.randomParameters(seed: 1))
        let grids = [19, 10, 5, 3, 2, 1]
        let expected = zip(grids, SSDLiteMobileNetV2Graph.anchorsPerLocation).flatMap { g, a in [[g, g, a * 4], [g, g, a * 2]] }
        #expect(network.outputShapes == expected)
        // Σ over levels of H·W·A = 1917 anchors (ssd.md §7.4).
        #expect(zip(grids, SSDLiteMobileNetV2Graph.anchorsPerLocation).reduce(0) { $0 + $1.0 * $1.0 * $1.1 } == 1917)
        #expect(b.parameterShapes.count == 2 * (1 + 16 * 3 + 2 + 1 + 4 * 3 + 12 * 2))
    }

    @Test func ssd300VGG16Shapes() throws {
        let b = SSD300VGG16Graph.make(classes: 91)
        let network = try Network(graph: b.graph, parameters: b.randomParameters(seed: 1))
        let grids = [38, 19, 10, 5, 3, 1]
        let expected = zip(grids, SSD300VGG16Graph.anchorsPerLocation).flatMap { g, a in [[g, g, a * 4], [g, g, a * 91]] }
        #expect(network.outputShapes == expected)
        let parameterCount = b.parameterShapes.reduce(0) { $0 + $1.shape.reduce(1, *) }
        #expect(parameterCount == 35_641_826)  // ssd.md §1.2 total for K = 91
    }
}
