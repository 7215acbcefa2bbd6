import NeuralNet
import TensorEngine
import TestSupport
import Testing

/// Hostile graph values: each is rejected by shape inference (``NetworkGraph/footprint(options:limits:)``) and by
/// ``Network/init(graph:parameters:options:)`` with an error naming the key, before anything is allocated.
@Suite("Graph validation: limits, checked geometry, memory")
struct GraphValidationTests {
    /// input [8, 8, 3] → conv "c" 3×3 pad 1 → 8×8×4.
    static func convGraph() -> GraphBuilder {
        var b = GraphBuilder(inputShape: [8, 8, 3])
        b.graph.outputs = [b.conv("c", "input", out: 4, kernel: 3, padding: .uniform(1), activation: .relu)]
        return b
    }

    /// The graph of ``convGraph()`` with its convolution changed by `change`.
    static func mutated(_ change: (inout Convolution) -> Void) -> GraphBuilder {
        var b = convGraph()
        guard case .convolution(var c) = b.graph.nodes[0].operation else { return b }
        change(&c)
        b.graph.nodes[0].operation = .convolution(c)
        return b
    }

    static func expectRejected(_ b: GraphBuilder, _ error: NetworkError) {
        #expect(throws: error) { try b.graph.footprint() }
        #expect(throws: error) { try Network(graph: b.graph, parameters: b.randomParameters(seed: 1)) }
    }

    @Test(
        "convolution attributes outside their range",
        arguments: [
            ("padding.top", Int.max, "must be in 0...1024, got 9223372036854775807"),
            ("padding.right", -1, "must be in 0...1024, got -1"),
            ("dilationY", 1 << 62, "must be in 1...64, got 4611686018427387904"),
            ("dilationX", 0, "must be in 1...64, got 0"),
            ("strideY", 0, "must be in 1...32, got 0"),
            ("strideX", Int.min, "must be in 1...32, got -9223372036854775808"),
            ("kernelHeight", 1 << 40, "must be in 1...32, got 1099511627776"),
            ("outChannels", -3, "must be in 1...65536, got -3"),
            ("groups", 0, "must be in 1...65536, got 0"),
        ])
    func convolutionRanges(_ attribute: String, _ value: Int, _ reason: String) {
        let b = Self.mutated { c in
            switch attribute {
            case "padding.top": c.padding.top = value
            case "padding.right": c.padding.right = value
            case "dilationY": c.dilationY = value
            case "dilationX": c.dilationX = value
            case "strideY": c.strideY = value
            case "strideX": c.strideX = value
            case "kernelHeight": c.kernelHeight = value
            case "outChannels": c.outChannels = value
            default: c.groups = value
            }
        }
        Self.expectRejected(b, .invalidValue(key: "nodes['c'].\(attribute)", reason: reason))
    }

    @Test func groupsThatDoNotDivideTheChannels() {
        let b = Self.mutated { $0.groups = 2 }
        Self.expectRejected(
            b, .invalidNode(node: "c", reason: "convolution on [8, 8, 3]: groups 2 must divide input channels 3 and output channels 4"))
    }

    @Test("input shapes outside the limits", arguments: [[40000, 40000, 3], [0, 8, 3], [8, 8], [8, 8, -1], [8, 8, 1 << 20]])
    func inputShape(_ shape: [Int]) {
        var b = Self.convGraph()
        b.graph.inputShape = shape
        Self.expectRejected(
            b, .invalidValue(key: "inputShape", reason: "must be [H, W, C] with H and W in 1...8192 and C in 1...65536, got \(shape)"))
    }

    @Test func emptyAndDuplicateNodes() {
        var b = Self.convGraph()
        b.graph.nodes = []
        Self.expectRejected(b, .invalidValue(key: "nodes", reason: "must hold 1...10000 nodes, got 0"))
        b = Self.convGraph()
        b.graph.nodes.append(b.graph.nodes[0])
        Self.expectRejected(b, .invalidNode(node: "c", reason: "the name is already defined by an earlier node"))
    }

    @Test func poolingAndNormalizationValues() {
        var b = Self.convGraph()
        b.graph.nodes.append(
            NetworkNode(
                name: "p", inputs: ["c"],
                operation: .maxPool(Pooling(kernelHeight: 2, kernelWidth: 2, strideY: Int.max, strideX: 2, padding: .uniform(0), ceilMode: true))))
        Self.expectRejected(b, .invalidValue(key: "nodes['p'].strideY", reason: "must be in 1...32, got 9223372036854775807"))
        b.graph.nodes[1].operation = .maxPool(
            Pooling(kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2, padding: .uniform(2), ceilMode: false))
        Self.expectRejected(b, .invalidNode(node: "p", reason: "max pool: padding must be smaller than the kernel"))
        b.graph.nodes[1].operation = .l2Normalize(scale: "s", epsilon: .nan)
        Self.expectRejected(b, .invalidValue(key: "nodes['p'].epsilon", reason: "must be finite and in 0...1, got nan"))
    }

    /// A kernel whose span exceeds the padded input by less than one stride used to give one output row (the negative
    /// numerator truncated to zero); it does not fit.
    @Test func kernelThatDoesNotFitEvenOnce() {
        let g = ConvolutionGeometry(
            inputHeight: 2, inputWidth: 2, inputChannels: 1, outputChannels: 1, kernelHeight: 3, kernelWidth: 3, strideY: 2,
            strideX: 2)
        #expect(g.outputHeight == 0)
        #expect(g.invalidReason == "kernel 3x3 does not fit the padded 2x2 input")
    }

    /// The engine's own checks (without ``GraphLimits``) report overflow instead of trapping.
    @Test func geometryOverflowIsAReasonNotATrap() {
        let padded = ConvolutionGeometry(
            inputHeight: 8, inputWidth: 8, inputChannels: 1, outputChannels: 1, kernelHeight: 3, kernelWidth: 3,
            padding: Padding2D(top: Int.max, left: 0, bottom: Int.max, right: 0))
        #expect(padded.outputHeight == 0)
        #expect(padded.multiplyAccumulateCount == 0)
        #expect(
            padded.invalidReason
                == "padding [9223372036854775807, 0, 9223372036854775807, 0] or dilation 1x1 is out of range (the padded input or dilated kernel overflows)"
        )
        let dilated = ConvolutionGeometry(
            inputHeight: 8, inputWidth: 8, inputChannels: 1, outputChannels: 1, kernelHeight: 3, kernelWidth: 3,
            dilationY: 1 << 62, dilationX: 1)
        #expect(
            dilated.invalidReason
                == "padding [0, 0, 0, 0] or dilation 4611686018427387904x1 is out of range (the padded input or dilated kernel overflows)")
        let huge = ConvolutionGeometry(
            inputHeight: 65536, inputWidth: 65536, inputChannels: 1, outputChannels: 1, kernelHeight: 1, kernelWidth: 1)
        #expect(huge.invalidReason == "input [65536, 65536, 1] has more than 2147483647 elements")
        let enormous = ConvolutionGeometry(
            inputHeight: 1 << 20, inputWidth: 1 << 20, inputChannels: 1 << 20, outputChannels: 1 << 20, kernelHeight: 1,
            kernelWidth: 1)
        #expect(enormous.multiplyAccumulateCount == Int.max)
        let pool = PoolingGeometry(
            inputHeight: 8, inputWidth: 8, channels: 1, kernelHeight: 2, kernelWidth: 2, strideY: Int.max, strideX: 1,
            padding: .uniform(1), ceilMode: true)
        #expect(pool.outputHeight == 1 && pool.invalidReason == nil)
        let wide = PoolingGeometry(
            inputHeight: Int.max, inputWidth: 8, channels: 1, kernelHeight: 2, kernelWidth: 2, strideY: 1, strideX: 1,
            padding: .uniform(1))
        #expect(wide.outputHeight == 0 && wide.invalidReason == "the padded input overflows")
    }

    /// TF "SAME" padding from imported attributes: hostile strides and dilations give no trap, and a padding the
    /// graph limits reject.
    @Test func tensorFlowSamePaddingSaturates() {
        #expect(Padding.tensorFlowSame(input: 300, kernel: 3, stride: 2) == (0, 1))
        #expect(Padding.tensorFlowSame(input: 19, kernel: 3, stride: 1, dilation: 6) == (6, 6))
        #expect(Padding.tensorFlowSame(input: 300, kernel: 3, stride: Int.max) == (0, 0))
        #expect(Padding.tensorFlowSame(input: 300, kernel: 3, stride: 0) == (0, 0))
        let huge = Padding.tensorFlowSame(input: 300, kernel: 3, stride: 1, dilation: Int.max)
        #expect(huge.before > GraphLimits.standard.maximumPadding && huge.after >= huge.before)
    }

    @Test func checkedSizes() {
        #expect(CheckedSize.product(1 << 32, 1 << 31) == nil)
        #expect(CheckedSize.product(3, -1) == nil)
        #expect(CheckedSize.product([]) == 1)
        #expect(CheckedSize.sum(Int.max, 1) == nil)
        #expect(CheckedSize.windowOutput(input: 300, before: 0, after: 1, kernel: 3, dilation: 1, stride: 2) == 150)
        #expect(CheckedSize.windowOutput(input: 8, before: 0, after: 0, kernel: 3, dilation: 1 << 62, stride: 1) == nil)
    }

    /// Activations are the buffer plan (the input slot has none): 8×8×4 output only; weights the tiled GEMM's panel of
    /// 64 output channels × 27 plus a panel of bias; one thread.
    @Test func footprintAndMemoryLimit() throws {
        let b = Self.convGraph()
        let footprint = try b.graph.footprint()
        #expect(footprint.activationFloats == 8 * 8 * 4)
        #expect(footprint.weightFloats == 64 * 27 + 64)
        #expect(footprint.bytes == 4 * (footprint.activationFloats + footprint.weightFloats + footprint.scratchFloats))
        let options = NetworkOptions(memoryLimit: 1000)
        #expect(throws: NetworkError.exceedsMemoryLimit(footprint: footprint, limit: 1000)) {
            try Network(graph: b.graph, parameters: b.randomParameters(seed: 1), options: options)
        }
        #expect(
            NetworkError.exceedsMemoryLimit(
                footprint: NetworkFootprint(activationFloats: 1 << 29, weightFloats: 1 << 20, scratchFloats: 0), limit: 2 << 30
            )
            .description == "the network needs 2.0 GiB (activations 2.0 GiB, weights 4.0 MiB, scratch 0.0 MiB), more than the limit of 2.0 GiB")
        let network = try Network(graph: b.graph, parameters: b.randomParameters(seed: 1))
        #expect(network.preallocatedCount <= footprint.activationFloats + footprint.scratchFloats)
    }
}
