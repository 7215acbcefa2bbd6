import NeuralNet

/// Converts the convolutional part of a TensorFlow graph (from a given input tensor up to requested outputs) into
/// ``NeuralNet/NetworkGraph`` nodes, folding every BatchNorm into its convolution and fusing ReLU/ReLU6.
///
/// Each emitted node is named after the last TensorFlow op it covers (e.g. `…/Conv/Relu6`, `…/project/BatchNorm/
/// FusedBatchNorm`, `…/add`, `…/BiasAdd`), so its output equals the TensorFlow tensor of the same name. Supported ops:
/// Conv2D, DepthwiseConv2dNative, FusedBatchNorm(V2/V3), BiasAdd, Relu, Relu6, Add, AddV2 and Identity.
struct TensorFlowNetworkBuilder {
    /// A converted parameter tensor (OIHW weights or a bias).
    typealias Parameter = (name: String, shape: [Int], values: [Float])

    let graph: TensorFlowGraph
    /// TensorFlow node whose value is the network input.
    let inputNode: String
    /// Name of the network input in the emitted graph.
    let inputName: String

    private(set) var nodes: [NetworkNode] = []
    private(set) var parameters: [Parameter] = []
    /// [height, width, channels] of every emitted value and of the input.
    private(set) var shapes: [String: [Int]]
    /// Elements of the graph's trainable Consts consumed: weights, head biases, BN gamma and beta.
    private(set) var sourceParameterCount = 0
    /// Elements of BN moving means and variances consumed.
    private(set) var movingStatisticCount = 0
    /// BatchNorms folded into convolutions.
    private(set) var foldedBatchNormCount = 0

    private var converted: [String: String] = [:]
    private var inProgress: Set<String> = []
    private var nodeIndex: [String: Int] = [:]
    private var parameterNames: Set<String> = []
    private let consumers: [String: [String]]

    init(graph: TensorFlowGraph, inputNode: String, inputName: String, inputShape: [Int]) {
        self.graph = graph
        self.inputNode = inputNode
        self.inputName = inputName
        self.shapes = [inputName: inputShape]
        var consumers: [String: [String]] = [:]
        for node in graph.nodes {
            for input in node.input where !input.hasPrefix("^") {
                consumers[TensorFlowGraph.nodeName(of: input), default: []].append(node.name)
            }
        }
        self.consumers = consumers
    }

    /// Converts the TensorFlow value `input` and everything it depends on; returns the emitted value name.
    mutating func convert(_ input: String) throws -> String {
        let name = TensorFlowGraph.nodeName(of: input)
        if name == inputNode { return inputName }
        if let done = converted[name] { return done }
        guard let node = graph.node(named: name) else {
            throw ModelImportError.unsupportedGraph(file: graph.file, missing: "no node '\(name)'", found: graph.contentsSummary)
        }
        guard inProgress.insert(name).inserted else {
            throw unsupported(node, "the graph has a cycle through this node")
        }
        defer { inProgress.remove(name) }
        let value: String
        switch node.op {
        case "Identity":
            guard let source = node.input.first else { throw unsupported(node, "Identity without input") }
            value = try convert(source)
        case "Conv2D", "DepthwiseConv2dNative":
            value = try emitConvolution(node, batchNorm: nil, biasAdd: nil)
        case "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3":
            value = try emitConvolution(try convolutionFeeding(node), batchNorm: node, biasAdd: nil)
        case "BiasAdd":
            value = try emitConvolution(try convolutionFeeding(node), batchNorm: nil, biasAdd: node)
        case "Relu6", "Relu":
            value = try emitActivation(node, activation: node.op == "Relu6" ? .relu6 : .relu)
        case "Add", "AddV2":
            value = try emitAdd(node)
        default:
            throw unsupported(
                node, "this op is not supported inside the network (supported: Conv2D, DepthwiseConv2dNative, "
                    + "FusedBatchNorm, BiasAdd, Relu, Relu6, Add, Identity)")
        }
        converted[name] = value
        return value
    }

    // MARK: - Emitters

    private mutating func emitConvolution(
        _ convNode: Tensorflow_NodeDef, batchNorm: Tensorflow_NodeDef?, biasAdd: Tensorflow_NodeDef?
    ) throws -> String {
        let conv = try TensorFlowConvolutionNode(convNode, graph: graph)
        let input = try convert(conv.input)
        let inputShape = shapes[input]!
        guard inputShape[2] == conv.inChannels else {
            throw unsupported(convNode, "weights expect \(conv.inChannels) input channels, the input has \(inputShape[2])")
        }
        guard let geometry = conv.geometry(height: inputShape[0], width: inputShape[1]) else {
            throw unsupported(convNode, "the kernel does not fit the \(inputShape[0])×\(inputShape[1]) input")
        }
        var weights = conv.oihwWeights
        var bias: [Float]?
        sourceParameterCount += weights.count
        if let biasAdd {
            let values = try graph.floats(biasAdd.input[1])
            guard values.count == conv.outChannels else {
                throw unsupported(biasAdd, "bias has \(values.count) values, expected \(conv.outChannels)")
            }
            sourceParameterCount += values.count
            bias = values
        }
        if let batchNorm {
            (weights, bias) = try fold(batchNorm, weights: weights, outChannels: conv.outChannels)
        }
        let name = (batchNorm ?? biasAdd ?? convNode).name
        let biasName = biasAdd.map { graph.resolvingIdentity($0.input[1])?.name ?? conv.biasParameterName }
            ?? conv.biasParameterName
        try addParameter(
            conv.weightsNode, [conv.outChannels, conv.isDepthwise ? 1 : conv.inChannels, conv.kernelHeight, conv.kernelWidth],
            weights, node: convNode)
        if let bias {
            try addParameter(biasName, [conv.outChannels], bias, node: convNode)
        }
        let convolution = Convolution(
            weight: conv.weightsNode, bias: bias == nil ? nil : biasName, outChannels: conv.outChannels,
            kernelHeight: conv.kernelHeight, kernelWidth: conv.kernelWidth, strideY: conv.strideY, strideX: conv.strideX,
            dilationY: conv.dilationY, dilationX: conv.dilationX, groups: conv.isDepthwise ? conv.inChannels : 1,
            padding: geometry.padding, activation: .none)
        return emit(
            NetworkNode(name: name, inputs: [input], operation: .convolution(convolution)),
            shape: [geometry.height, geometry.width, conv.outChannels])
    }

    private mutating func fold(_ batchNorm: Tensorflow_NodeDef, weights: [Float], outChannels: Int) throws
        -> ([Float], [Float])
    {
        guard batchNorm.input.count >= 5 else { throw unsupported(batchNorm, "expected 5 inputs") }
        if batchNorm.attr["is_training"]?.b == true {
            throw unsupported(batchNorm, "is_training is true; export the graph for inference")
        }
        let format = batchNorm.attr["data_format"].map { String(decoding: $0.s, as: UTF8.self) } ?? "NHWC"
        guard format == "NHWC" else { throw unsupported(batchNorm, "data_format \(format) is not supported") }
        // TensorFlow's op default when the attribute is absent.
        let epsilon = batchNorm.attr["epsilon"]?.f ?? 0.0001
        let parts = try (1...4).map { try graph.floats(batchNorm.input[$0]) }
        guard parts.allSatisfy({ $0.count == outChannels }) else {
            throw unsupported(
                batchNorm, "gamma/beta/mean/variance have \(parts.map(\.count)) values, expected \(outChannels) each")
        }
        sourceParameterCount += 2 * outChannels
        movingStatisticCount += 2 * outChannels
        foldedBatchNormCount += 1
        let folded = BatchNormFolding.fold(
            weights: weights, bias: nil, gamma: parts[0], beta: parts[1], mean: parts[2], variance: parts[3],
            epsilon: epsilon)
        return (folded.weights, folded.bias)
    }

    private mutating func emitActivation(_ node: Tensorflow_NodeDef, activation: Activation) throws -> String {
        guard let source = node.input.first else { throw unsupported(node, "no input") }
        let value = try convert(source)
        let producer = graph.resolvingIdentity(source)?.name ?? source
        if let index = nodeIndex[value], effectiveConsumers(of: producer) == 1, canFuse(nodes[index]) {
            // The pre-activation value has no other reader, so the activation joins the producing node, which takes
            // the activation's name (its output is now that tensor).
            var fused = nodes[index]
            fused.operation = fused.operation.withActivation(activation)
            fused.name = node.name
            nodeIndex[value] = nil
            nodeIndex[node.name] = index
            nodes[index] = fused
            shapes[node.name] = shapes.removeValue(forKey: value)
            for (key, emitted) in converted where emitted == value {
                converted[key] = node.name
            }
            return node.name
        }
        return emit(NetworkNode(name: node.name, inputs: [value], operation: .activation(activation)), shape: shapes[value]!)
    }

    private mutating func emitAdd(_ node: Tensorflow_NodeDef) throws -> String {
        guard node.input.count == 2 else { throw unsupported(node, "expected 2 inputs") }
        let left = try convert(node.input[0])
        let right = try convert(node.input[1])
        guard shapes[left] == shapes[right] else {
            throw unsupported(node, "operand shapes \(shapes[left]!) and \(shapes[right]!) differ (no broadcasting)")
        }
        return emit(NetworkNode(name: node.name, inputs: [left, right], operation: .add(activation: .none)), shape: shapes[left]!)
    }

    // MARK: - Helpers

    /// The convolution feeding a BatchNorm or BiasAdd, which must have no other reader.
    private func convolutionFeeding(_ node: Tensorflow_NodeDef) throws -> Tensorflow_NodeDef {
        guard let source = node.input.first, let conv = graph.resolvingIdentity(source),
            conv.op == "Conv2D" || conv.op == "DepthwiseConv2dNative"
        else {
            throw unsupported(node, "it must directly follow a Conv2D or DepthwiseConv2dNative")
        }
        guard effectiveConsumers(of: conv.name) == 1 else {
            throw unsupported(node, "convolution '\(conv.name)' has other readers, so it cannot be folded")
        }
        return conv
    }

    /// Readers of a node's value, looking through Identity nodes (an unread Identity tap counts zero).
    private func effectiveConsumers(of name: String) -> Int {
        var count = 0
        var pending = consumers[name] ?? []
        var visited = Set<String>()
        while let next = pending.popLast() {
            guard visited.insert(next).inserted else { continue }
            if graph.node(named: next)?.op == "Identity" {
                pending += consumers[next] ?? []
            } else {
                count += 1
            }
        }
        return count
    }

    private func canFuse(_ node: NetworkNode) -> Bool {
        switch node.operation {
        case .convolution(let conv): return conv.activation == .none
        case .add(let activation): return activation == .none
        default: return false
        }
    }

    private mutating func emit(_ node: NetworkNode, shape: [Int]) -> String {
        nodeIndex[node.name] = nodes.count
        nodes.append(node)
        shapes[node.name] = shape
        return node.name
    }

    private mutating func addParameter(_ name: String, _ shape: [Int], _ values: [Float], node: Tensorflow_NodeDef) throws {
        guard parameterNames.insert(name).inserted else {
            throw unsupported(node, "parameter '\(name)' would be written twice (shared weights are not supported)")
        }
        parameters.append((name, shape, values))
    }

    private func unsupported(_ node: Tensorflow_NodeDef, _ reason: String) -> ModelImportError {
        ModelImportError.unsupportedNode(file: graph.file, node: node.name, op: node.op, reason: reason)
    }
}

extension NetworkOperation {
    /// The same operation with its fused activation replaced (convolution and add only).
    fileprivate func withActivation(_ activation: Activation) -> NetworkOperation {
        switch self {
        case .convolution(var conv):
            conv.activation = activation
            return .convolution(conv)
        case .add:
            return .add(activation: activation)
        default:
            return self
        }
    }
}
