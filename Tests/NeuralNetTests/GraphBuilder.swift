import NeuralNet
import TestSupport

/// Appends nodes to a graph while tracking each value's [H, W, C] and every parameter's shape, so the network builders
/// below read like the architecture tables in ssd.md.
struct GraphBuilder {
    var graph: NetworkGraph
    var shapes: [String: [Int]]
    /// Parameter name → shape, in creation order.
    var parameterShapes: [(name: String, shape: [Int])] = []

    init(inputName: String = "input", inputShape: [Int]) {
        graph = NetworkGraph(inputName: inputName, inputShape: inputShape, nodes: [], outputs: [])
        shapes = [inputName: inputShape]
    }

    /// Adds a convolution with weights `<scope>/weights` (OIHW) and, when `bias`, `<scope>/biases`.
    @discardableResult
    mutating func conv(
        _ scope: String, _ input: String, out: Int, kernel: Int = 1, stride: Int = 1, dilation: Int = 1, groups: Int = 1,
        padding: Padding? = nil, tfSame: Bool = false, activation: Activation, bias: Bool = true,
        weightName: String? = nil, biasName: String? = nil
    ) -> String {
        let s = shapes[input]!
        let pad: Padding
        if tfSame {
            let y = Padding.tensorFlowSame(input: s[0], kernel: kernel, stride: stride, dilation: dilation)
            let x = Padding.tensorFlowSame(input: s[1], kernel: kernel, stride: stride, dilation: dilation)
            pad = Padding(top: y.before, left: x.before, bottom: y.after, right: x.after)
        } else {
            pad = padding ?? .uniform(0)
        }
        let weight = weightName ?? "\(scope)/weights"
        let biasParameter = bias ? (biasName ?? "\(scope)/biases") : nil
        parameterShapes.append((weight, [out, s[2] / groups, kernel, kernel]))
        if let biasParameter { parameterShapes.append((biasParameter, [out])) }
        let op = Convolution(
            weight: weight, bias: biasParameter, outChannels: out, kernelHeight: kernel, kernelWidth: kernel,
            strideY: stride, strideX: stride, dilationY: dilation, dilationX: dilation, groups: groups, padding: pad,
            activation: activation)
        let effective = (kernel - 1) * dilation + 1
        let oh = (s[0] + pad.top + pad.bottom - effective) / stride + 1
        let ow = (s[1] + pad.left + pad.right - effective) / stride + 1
        return add(scope, [input], .convolution(op), shape: [oh, ow, out])
    }

    /// A depthwise 3×3 convolution with TF-SAME padding.
    @discardableResult
    mutating func depthwise(_ scope: String, _ input: String, stride: Int, activation: Activation = .relu6) -> String {
        let c = shapes[input]![2]
        return conv(scope, input, out: c, kernel: 3, stride: stride, groups: c, tfSame: true, activation: activation)
    }

    @discardableResult
    mutating func maxPool(_ name: String, _ input: String, kernel: Int, stride: Int, padding: Int = 0, ceil: Bool = false) -> String {
        let s = shapes[input]!
        func size(_ n: Int) -> Int {
            let span = n + 2 * padding - kernel
            var out = (ceil ? (span + stride - 1) / stride : span / stride) + 1
            if ceil && (out - 1) * stride >= n + padding { out -= 1 }
            return out
        }
        let op = Pooling(
            kernelHeight: kernel, kernelWidth: kernel, strideY: stride, strideX: stride,
            padding: .uniform(padding), ceilMode: ceil)
        return add(name, [input], .maxPool(op), shape: [size(s[0]), size(s[1]), s[2]])
    }

    @discardableResult
    mutating func add(_ name: String, _ inputs: [String], _ operation: NetworkOperation, shape: [Int]? = nil) -> String {
        graph.nodes.append(NetworkNode(name: name, inputs: inputs, operation: operation))
        var outShape = shape ?? shapes[inputs[0]]!
        if case .concatenate = operation { outShape[2] = inputs.reduce(0) { $0 + shapes[$1]![2] } }
        if case .l2Normalize(let scale, _) = operation { parameterShapes.append((scale, [outShape[2]])) }
        shapes[name] = outShape
        return name
    }

    /// Random parameters for every parameter the graph names, uniform in ±√(3/fan-in) (so activations stay O(1)).
    func randomParameters(seed: UInt64) -> InMemoryParameters {
        var rng = SplitMix64(seed: seed)
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for (name, shape) in parameterShapes {
            let fanIn = shape.count == 4 ? shape[1] * shape[2] * shape[3] : 1
            let limit = shape.count == 4 ? (3 / Float(fanIn)).squareRoot() : 0.1
            let count = shape.reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            for i in 0..<count { values[i] = rng.nextFloat(in: -limit...limit) }
            tensors[name] = (shape, values)
        }
        return InMemoryParameters(tensors)
    }
}
