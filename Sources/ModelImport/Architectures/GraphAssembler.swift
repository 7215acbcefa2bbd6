import NeuralNet

/// Appends NHWC nodes to a ``NeuralNet/NetworkGraph`` while tracking every value's `[H, W, C]` and every parameter's
/// shape, using PyTorch's layer conventions (symmetric padding, `floor`/`ceil_mode` pooling), so that architecture
/// builders read like the layer tables they implement.
struct GraphAssembler {
    let inputName: String
    let inputShape: [Int]
    private(set) var nodes: [NetworkNode] = []
    /// `[H, W, C]` of every value defined so far.
    private(set) var shapes: [String: [Int]]
    /// Parameter names and shapes (OIHW weights, `[O]` biases, `[C]` scales) in creation order.
    private(set) var parameters: [(name: String, shape: [Int])] = []

    init(inputName: String = "input", inputShape: [Int]) {
        self.inputName = inputName
        self.inputShape = inputShape
        self.shapes = [inputName: inputShape]
    }

    /// `nn.Conv2d(C, out, kernel, stride, padding, dilation)` with parameters `<key>.weight` and `<key>.bias`, followed by
    /// `activation`; the node is named `key`.
    mutating func convolution(
        _ key: String, _ input: String, out: Int, kernel: Int, stride: Int = 1, padding: Int, dilation: Int = 1,
        activation: Activation
    ) -> String {
        let shape = self.shape(of: input)
        parameters.append(("\(key).weight", [out, shape[2], kernel, kernel]))
        parameters.append(("\(key).bias", [out]))
        let operation = Convolution(
            weight: "\(key).weight", bias: "\(key).bias", outChannels: out, kernelHeight: kernel, kernelWidth: kernel,
            strideY: stride, strideX: stride, dilationY: dilation, dilationX: dilation, padding: .uniform(padding),
            activation: activation)
        let span = (kernel - 1) * dilation + 1
        func size(_ n: Int) -> Int { (n + 2 * padding - span) / stride + 1 }
        return append(key, [input], .convolution(operation), shape: [size(shape[0]), size(shape[1]), out])
    }

    /// `nn.MaxPool2d(kernel, stride, padding, ceil_mode)`; in ceil mode the last window must start inside the input or
    /// left padding, as in PyTorch.
    mutating func maxPool(_ name: String, _ input: String, kernel: Int, stride: Int, padding: Int = 0, ceilMode: Bool = false) -> String {
        let shape = self.shape(of: input)
        func size(_ n: Int) -> Int {
            let span = n + 2 * padding - kernel
            var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
            if ceilMode && (out - 1) * stride >= n + padding { out -= 1 }
            return out
        }
        let pooling = Pooling(
            kernelHeight: kernel, kernelWidth: kernel, strideY: stride, strideX: stride, padding: .uniform(padding),
            ceilMode: ceilMode)
        return append(name, [input], .maxPool(pooling), shape: [size(shape[0]), size(shape[1]), shape[2]])
    }

    /// `scale[c] · x / max(‖x‖₂, epsilon)` across channels, with the scale parameter `[C]` named `scale`.
    mutating func l2Normalize(_ name: String, _ input: String, scale: String, epsilon: Float) -> String {
        let shape = self.shape(of: input)
        parameters.append((scale, [shape[2]]))
        return append(name, [input], .l2Normalize(scale: scale, epsilon: epsilon), shape: shape)
    }

    /// The graph with `outputs` as its outputs.
    func graph(outputs: [String]) -> NetworkGraph {
        NetworkGraph(inputName: inputName, inputShape: inputShape, nodes: nodes, outputs: outputs)
    }

    /// `[H, W, C]` of a defined value.
    func shape(of value: String) -> [Int] {
        guard let shape = shapes[value] else {
            preconditionFailure("GraphAssembler: '\(value)' is used before it is defined (a bug in the architecture builder)")
        }
        return shape
    }

    private mutating func append(_ name: String, _ inputs: [String], _ operation: NetworkOperation, shape: [Int]) -> String {
        nodes.append(NetworkNode(name: name, inputs: inputs, operation: operation))
        shapes[name] = shape
        return name
    }
}
