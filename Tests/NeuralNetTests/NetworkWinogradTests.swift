import NeuralNet
import TensorEngine
import TestSupport
import Testing

/// ``NetworkOptions/winograd``: a VGG-like stack of 3×3 layers (one dilated) gives the reference kernels' results within
/// Winograd's rounding, and with the option off runs direct convolutions.
@Suite("Network with and without Winograd")
struct NetworkWinogradTests {
    static func vggLikeGraph() -> GraphBuilder {
        var b = GraphBuilder(inputShape: [20, 18, 16])
        let c1 = b.conv("c1", "input", out: 32, kernel: 3, padding: .uniform(1), activation: .relu)
        let c2 = b.conv("c2", c1, out: 32, kernel: 3, padding: .uniform(1), activation: .relu)
        let fc6 = b.conv("fc6", c2, out: 24, kernel: 3, dilation: 3, padding: .uniform(3), activation: .relu)
        let head = b.conv("head", fc6, out: 12, kernel: 3, padding: .uniform(1), activation: .none)
        b.graph.outputs = [head]
        return b
    }

    @Test func winogradAndDirectMatchTheReference() throws {
        let b = Self.vggLikeGraph()
        let params = b.randomParameters(seed: 9)
        let input = Tensor.random(shape: [20, 18, 16], seed: 10)
        let reference = try Network(graph: b.graph, parameters: params, options: NetworkOptions(referenceKernels: true))
            .forward(input)[0]
        let scale = reference.values.reduce(0) { max($0, abs($1)) }
        for winograd in [true, false] {
            for threads in [1, 2] {
                let network = try Network(
                    graph: b.graph, parameters: params,
                    options: NetworkOptions(threads: threads, winograd: winograd))
                let kinds = try network.forwardProfiled(input).timings.map(\.kind)
                #expect(kinds == Array(repeating: winograd ? "conv3x3/winograd" : "conv3x3/tiledGEMM", count: 4))
                let error = zip(try network.forward(input)[0].values, reference.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
                #expect(error <= 1e-5 * max(scale, 1), "winograd \(winograd), \(threads) threads: max |Δ| \(error) of \(scale)")
            }
        }
    }
}
