import NeuralNet
import TensorEngine
import Testing

@testable import Training

/// Central finite differences against ``TrainableNetwork/backward(_:outputGradients:isTrainable:inputGradient:)``.
///
/// Loss `L = Σ_k ⟨r_k, output_k⟩` with seeded Gaussian projections `r_k`, accumulated in Float64; the network itself runs
/// in Float32. Step `h = 1e-3` on each checked element; a check passes when
/// `|analytic − numeric| ≤ 2e-3 + 1e-2 · max(|analytic|, |numeric|)`. Up to 16 seeded elements of every parameter and of
/// the input are checked. ReLU and max pooling make the loss piecewise smooth: where the forward and backward one-sided
/// slopes disagree by more than the tolerance, the step crossed a kink (an activation or a pooling winner changed) and
/// the element is counted as skipped instead of compared; tests require at most a quarter of the elements skipped.
struct GradientChecker {
    static let step: Float = 1e-3
    static let absoluteTolerance = 2e-3
    static let relativeTolerance = 1e-2
    /// The nine-layer composite (``GradientCase/smallSSD``) crosses several ReLU/pooling kinks per step on first-layer
    /// weights, some too small to be detected; it is a plumbing check and uses 5e-2.
    static let compositeRelativeTolerance = 5e-2

    /// The largest violation found: `|a − n| − tolerance` (≤ 0 means every element passed) and where.
    struct Report: CustomStringConvertible {
        var checked = 0
        var worstExcess = -Double.infinity
        var worst = ""
        var kinks = 0
        var description: String { "\(checked) elements checked, \(kinks) skipped at kinks; worst excess \(worstExcess) at \(worst)" }
    }

    static func check(
        graph: NetworkGraph, parameters: ParameterSet, batch: Int, inputScale: Float = 1, relativeTolerance: Double = relativeTolerance,
        seed: UInt64
    ) throws -> Report {
        var random = SeededGenerator(seed: seed)
        let network = try TrainableNetwork(graph: graph, threads: 2)
        let input = Tensor(
            shape: [batch] + graph.inputShape,
            values: (0..<(batch * graph.inputShape.reduce(1, *))).map { _ in random.nextGaussian() * inputScale })
        let shapes = network.outputShapes
        let projections = shapes.map { shape in
            Tensor(shape: [batch] + shape, values: (0..<(batch * shape.reduce(1, *))).map { _ in random.nextGaussian() })
        }
        func loss(_ p: ParameterSet, _ x: Tensor) throws -> Double {
            let outputs = try network.forward(x, parameters: p).outputs
            var sum = 0.0
            for (output, r) in zip(outputs, projections) {
                let o = output.values, rv = r.values
                for i in o.indices { sum += Double(o[i]) * Double(rv[i]) }
            }
            return sum
        }
        let pass = try network.forward(input, parameters: parameters)
        let zero = try loss(parameters, input)
        let gradients = try network.backward(pass, outputGradients: projections, inputGradient: true)
        var report = Report()
        func tolerance(_ a: Double, _ b: Double) -> Double { absoluteTolerance + relativeTolerance * max(abs(a), abs(b)) }
        func compare(_ analytic: Float, _ values: (minus: Double, zero: Double, plus: Double), _ label: String) {
            let h = Double(step)
            let forward = (values.plus - values.zero) / h, backward = (values.zero - values.minus) / h
            if abs(forward - backward) > tolerance(forward, backward) {
                report.kinks += 1
                return
            }
            let numeric = (values.plus - values.minus) / (2 * h)
            let a = Double(analytic)
            let excess = abs(a - numeric) - tolerance(a, numeric)
            report.checked += 1
            if excess > report.worstExcess {
                report.worstExcess = excess
                report.worst = "\(label): analytic \(a), numeric \(numeric)"
            }
        }
        for name in parameters.orderedNames {
            let count = parameters[name]!.count
            guard let analytic = gradients.parameters[name] else {
                report.worstExcess = .infinity
                report.worst = "no gradient for \(name)"
                return report
            }
            for index in sampleIndices(count, &random) {
                var plus = parameters, minus = parameters
                plus.withMutableValues(of: name) { $0[index] += step }
                minus.withMutableValues(of: name) { $0[index] -= step }
                compare(analytic[flat: index], (try loss(minus, input), zero, try loss(plus, input)), "\(name)[\(index)]")
            }
        }
        let inputGradient = try #require(gradients.input)
        for index in sampleIndices(input.count, &random) {
            var plus = input, minus = input
            plus[flat: index] += step
            minus[flat: index] -= step
            compare(inputGradient[flat: index], (try loss(parameters, minus), zero, try loss(parameters, plus)), "input[\(index)]")
        }
        return report
    }

    private static func sampleIndices(_ count: Int, _ random: inout SeededGenerator) -> [Int] {
        count <= 16 ? Array(0..<count) : (0..<16).map { _ in Int.random(in: 0..<count, using: &random) }
    }
}

/// Small graphs, one per op and option the SSD models use.
enum GradientCase: String, CaseIterable, CustomTestStringConvertible {
    case conv3x3ReLU, convStride2AsymmetricPaddingReLU6, convDilated, conv1x1NoBias, depthwiseStride2ReLU6, grouped
    case maxPoolCeilMode, maxPool3x3Padded, addReLU, concatenate, l2Normalize, standaloneReLU6, smallSSD
    /// Large enough for the Winograd forward and input gradient (maps ≥ 8×8, ≥ 16 channels). Linear: Winograd's
    /// float32 rounding moves every output of a tile when one input moves, which at h = 1e-3 hides ReLU kinks in noise.
    case winograd, winogradDilatedUnevenPadding

    var testDescription: String { rawValue }

    /// The graph, its input scale, and seeded parameters.
    func build() throws -> (graph: NetworkGraph, parameters: ParameterSet, inputScale: Float) {
        var nodes: [NetworkNode] = []
        var inputShape = [5, 6, 3]
        var inputScale: Float = 1
        func conv(
            _ name: String, _ input: String, out: Int, k: Int = 3, s: Int = 1, d: Int = 1, groups: Int = 1,
            padding: Padding = .uniform(1), activation: Activation = .none, bias: Bool = true
        ) -> String {
            nodes.append(
                NetworkNode(
                    name: name, inputs: [input],
                    operation: .convolution(
                        Convolution(
                            weight: "\(name).weight", bias: bias ? "\(name).bias" : nil, outChannels: out, kernelHeight: k, kernelWidth: k,
                            strideY: s, strideX: s, dilationY: d, dilationX: d, groups: groups, padding: padding, activation: activation))))
            return name
        }
        func node(_ name: String, _ inputs: [String], _ operation: NetworkOperation) -> String {
            nodes.append(NetworkNode(name: name, inputs: inputs, operation: operation))
            return name
        }
        let outputs: [String]
        switch self {
        case .conv3x3ReLU: outputs = [conv("c", "x", out: 4, activation: .relu)]
        case .convStride2AsymmetricPaddingReLU6:
            inputScale = 6
            outputs = [conv("c", "x", out: 4, s: 2, padding: Padding(top: 0, left: 1, bottom: 1, right: 0), activation: .relu6)]
        case .convDilated:
            inputShape = [7, 7, 2]
            outputs = [conv("c", "x", out: 3, d: 2, padding: .uniform(2))]
        case .conv1x1NoBias: outputs = [conv("c", "x", out: 5, k: 1, padding: .uniform(0), bias: false)]
        case .depthwiseStride2ReLU6:
            inputShape = [6, 5, 4]
            inputScale = 6
            outputs = [conv("c", "x", out: 4, s: 2, groups: 4, activation: .relu6)]
        case .grouped:
            inputShape = [5, 5, 4]
            outputs = [conv("c", "x", out: 6, groups: 2, activation: .relu)]
        case .maxPoolCeilMode:
            let c = conv("c", "x", out: 3)
            outputs = [
                node("p", [c], .maxPool(Pooling(kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2, padding: .uniform(0), ceilMode: true)))
            ]
        case .maxPool3x3Padded:
            let c = conv("c", "x", out: 3)
            outputs = [
                node("p", [c], .maxPool(Pooling(kernelHeight: 3, kernelWidth: 3, strideY: 1, strideX: 1, padding: .uniform(1), ceilMode: false)))
            ]
        case .addReLU:
            let a = conv("a", "x", out: 4), b = conv("b", "x", out: 4, k: 1, padding: .uniform(0))
            outputs = [node("sum", [a, b], .add(activation: .relu))]
        case .concatenate:
            let a = conv("a", "x", out: 2), b = conv("b", "x", out: 3, k: 1, padding: .uniform(0))
            outputs = [conv("c", node("cat", [a, b], .concatenate), out: 4, activation: .relu)]
        case .l2Normalize:
            let c = conv("c", "x", out: 6, activation: .relu)
            outputs = [node("norm", [c], .l2Normalize(scale: "norm.scale", epsilon: 1e-12)), conv("after", c, out: 2)]
        case .standaloneReLU6:
            inputScale = 6
            outputs = [node("act", [conv("c", "x", out: 3)], .activation(.relu6))]
        case .winograd:
            inputShape = [10, 9, 16]
            outputs = [conv("c", "x", out: 16)]
        case .winogradDilatedUnevenPadding:
            inputShape = [11, 10, 16]
            outputs = [conv("c", "x", out: 24, d: 2, padding: Padding(top: 1, left: 2, bottom: 3, right: 2))]
        case .smallSSD:
            let graph = SmallSSD.graph(SmallSSD.Configuration(inputSize: 32, widths: [4, 6, 6, 8, 8, 8], labels: ["bg", "a", "b"]))
            return (graph, try ParameterInitializer.initialize(graph, scheme: .heNormal, seed: 7), 1)
        }
        let graph = NetworkGraph(inputName: "x", inputShape: inputShape, nodes: nodes, outputs: outputs)
        var parameters = try ParameterInitializer.initialize(graph, l2NormScale: 3, seed: 11)
        // Non-zero biases and scales so their gradients are not checked only at a special point.
        var random = SeededGenerator(seed: 5)
        for name in parameters.orderedNames where !name.hasSuffix(".weight") {
            parameters.withMutableValues(of: name) { values in
                for i in values.indices { values[i] += 0.3 * random.nextGaussian() }
            }
        }
        return (graph, parameters, inputScale)
    }
}

@Suite struct GradientCheckTests {
    @Test(arguments: GradientCase.allCases)
    func backwardMatchesCentralDifferences(_ testCase: GradientCase) throws {
        let (graph, parameters, scale) = try testCase.build()
        let tolerance = testCase == .smallSSD ? GradientChecker.compositeRelativeTolerance : GradientChecker.relativeTolerance
        let report = try GradientChecker.check(
            graph: graph, parameters: parameters, batch: 2, inputScale: scale, relativeTolerance: tolerance, seed: 42)
        #expect(report.worstExcess <= 0, "\(testCase.rawValue): \(report)")
        #expect(report.kinks * 4 <= report.checked, "\(testCase.rawValue): \(report)")
    }

    /// The Winograd cases really run the Winograd forward and input gradient.
    @Test(arguments: [GradientCase.winograd, .winogradDilatedUnevenPadding])
    func winogradCasesUseWinograd(_ testCase: GradientCase) throws {
        let (graph, _, _) = try testCase.build()
        guard case .convolution(let c) = graph.nodes[0].operation else { Issue.record("not a convolution"); return }
        let s = graph.inputShape
        let geometry = ConvolutionGeometry(
            inputHeight: s[0], inputWidth: s[1], inputChannels: s[2], outputChannels: c.outChannels, kernelHeight: 3,
            kernelWidth: 3, dilationY: c.dilationY, dilationX: c.dilationX,
            padding: Padding2D(top: c.padding.top, left: c.padding.left, bottom: c.padding.bottom, right: c.padding.right))
        let gradient = ConvolutionGradient(
            geometry: geometry, activation: .none,
            weights: [Float](repeating: 0.1, count: geometry.weightShape.reduce(1, *)), bias: nil)
        #expect(gradient.fastForward?.algorithm == .winograd && gradient.fastInputGradient?.algorithm == .winograd)
    }

    /// The trainer's forward is the inference engine's function: compare with `Network` on the small SSD.
    @Test func forwardMatchesInferenceEngine() throws {
        let graph = SmallSSD.graph(SmallSSD.Configuration(inputSize: 64, labels: ["bg", "a", "b"]))
        let parameters = try ParameterInitializer.initialize(graph, scheme: .heNormal, seed: 3)
        var random = SeededGenerator(seed: 9)
        let image = Tensor(shape: [64, 64, 3], values: (0..<(64 * 64 * 3)).map { _ in random.nextGaussian() })
        let expected = try Network(graph: graph, parameters: parameters).forward(image)
        let actual = try TrainableNetwork(graph: graph, threads: 2).forward(image, parameters: parameters).outputs
        for (e, a) in zip(expected, actual) {
            #expect([1] + e.shape == a.shape)
            let maxError = zip(e.values, a.values).map { abs($0 - $1) }.max() ?? 0
            #expect(maxError < 1e-4, "max |Δ| \(maxError)")
        }
    }

    /// Two images in one batch give the sum of their separate gradients.
    @Test func batchGradientIsSumOfImageGradients() throws {
        let (graph, parameters, _) = try GradientCase.smallSSD.build()
        let network = try TrainableNetwork(graph: graph, threads: 2)
        var random = SeededGenerator(seed: 1)
        let size = graph.inputShape.reduce(1, *)
        let images = (0..<2).map { _ in Tensor(shape: graph.inputShape, values: (0..<size).map { _ in random.nextGaussian() }) }
        let ones = { (n: Int) in network.outputShapes.map { Tensor(shape: [n] + $0, repeating: 1) } }
        let batch = Tensor(shape: [2] + graph.inputShape, values: images[0].values + images[1].values)
        let together = try network.backward(network.forward(batch, parameters: parameters), outputGradients: ones(2)).parameters
        let first = try network.backward(network.forward(images[0], parameters: parameters), outputGradients: ones(1)).parameters
        let second = try network.backward(network.forward(images[1], parameters: parameters), outputGradients: ones(1)).parameters
        for name in parameters.orderedNames {
            let sum = zip(first[name]!.values, second[name]!.values).map { $0 + $1 }
            let maxError = zip(sum, together[name]!.values).map { abs($0 - $1) }.max() ?? 0
            #expect(maxError < 1e-3, "\(name): max |Δ| \(maxError)")
        }
    }

    /// Frozen parameters get no gradient and the result still holds every trainable one.
    @Test func frozenParametersAreLeftOut() throws {
        let (graph, parameters, _) = try GradientCase.smallSSD.build()
        let network = try TrainableNetwork(graph: graph)
        let pass = try network.forward(Tensor(shape: graph.inputShape, repeating: 0.5), parameters: parameters)
        let gradients = try network.backward(
            pass, outputGradients: network.outputShapes.map { Tensor(shape: [1] + $0, repeating: 1) },
            isTrainable: { !$0.hasPrefix("backbone.") })
        #expect(gradients.parameters.orderedNames == parameters.orderedNames.filter { !$0.hasPrefix("backbone.") })
    }
}
