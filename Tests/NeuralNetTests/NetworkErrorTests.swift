import NeuralNet
import TensorEngine
import TestSupport
import Testing

@Suite("Network compile and input errors")
struct NetworkErrorTests {
    static func convGraph() -> GraphBuilder {
        var b = GraphBuilder(inputShape: [4, 4, 3])
        b.graph.outputs = [b.conv("c", "input", out: 2, kernel: 3, padding: .uniform(1), activation: .relu)]
        return b
    }

    @Test func missingParameter() {
        let b = Self.convGraph()
        var params = b.randomParameters(seed: 1)
        params.tensors["c/biases"] = nil
        #expect(throws: NetworkError.missingParameter("c/biases")) { try Network(graph: b.graph, parameters: params) }
        #expect(NetworkError.missingParameter("c/biases").description == "parameter 'c/biases' is missing from the model")
    }

    @Test func wrongWeightShape() {
        let b = Self.convGraph()
        var params = b.randomParameters(seed: 1)
        params.tensors["c/weights"] = ([2, 3, 1, 3], [Float](repeating: 0, count: 18))
        #expect(throws: NetworkError.parameterShape(name: "c/weights", expected: [2, 3, 3, 3], actual: [2, 3, 1, 3])) {
            try Network(graph: b.graph, parameters: params)
        }
    }

    @Test func wrongL2ScaleShape() {
        var b = GraphBuilder(inputShape: [2, 2, 4])
        b.graph.outputs = [b.add("n", ["input"], .l2Normalize(scale: "s", epsilon: 1e-12))]
        var params = b.randomParameters(seed: 1)
        params.tensors["s"] = ([3], [1, 1, 1])
        #expect(throws: NetworkError.parameterShape(name: "s", expected: [4], actual: [3])) {
            try Network(graph: b.graph, parameters: params)
        }
    }

    @Test func unknownInput() {
        var b = Self.convGraph()
        b.graph.nodes.append(NetworkNode(name: "relu", inputs: ["nowhere"], operation: .activation(.relu)))
        #expect(throws: NetworkError.unknownInput(node: "relu", input: "nowhere")) {
            try Network(graph: b.graph, parameters: b.randomParameters(seed: 1))
        }
        b.graph.nodes.removeLast()
        b.graph.outputs = ["missing"]
        #expect(throws: NetworkError.unknownInput(node: "outputs", input: "missing")) {
            try Network(graph: b.graph, parameters: b.randomParameters(seed: 1))
        }
    }

    @Test func invalidNodes() {
        var b = Self.convGraph()
        b.graph.nodes.append(NetworkNode(name: "sum", inputs: ["c", "input"], operation: .add(activation: .none)))
        #expect(throws: NetworkError.invalidNode(node: "sum", reason: "add of shapes [4, 4, 2] and [4, 4, 3]")) {
            try Network(graph: b.graph, parameters: b.randomParameters(seed: 1))
        }
        var big = GraphBuilder(inputShape: [2, 2, 3])
        big.graph.outputs = [big.conv("k", "input", out: 1, kernel: 5, activation: .none)]
        #expect(throws: NetworkError.invalidNode(node: "k", reason: "convolution on [2, 2, 3]: kernel 5x5 does not fit the padded 2x2 input")) {
            try Network(graph: big.graph, parameters: big.randomParameters(seed: 1))
        }
    }

    @Test func wrongInputShape() throws {
        let b = Self.convGraph()
        let network = try Network(graph: b.graph, parameters: b.randomParameters(seed: 1))
        #expect(throws: NetworkError.inputShape(expected: [4, 4, 3], actual: [4, 4, 1])) {
            try network.forward(Tensor(shape: [4, 4, 1]))
        }
    }
}
