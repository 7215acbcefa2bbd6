import NeuralNet

/// Converts the convolutional part of a TensorFlow graph (from a given input tensor up to requested outputs) into
/// ``NeuralNet/NetworkGraph`` nodes, folding every BatchNorm into its convolution and fusing ReLU/ReLU6.
///
/// Each emitted node is named after the last TensorFlow op it covers (e.g. `…/Conv/Relu6`, `…/project/BatchNorm/
/// FusedBatchNorm`, `…/add`, `…/BiasAdd`), so its output equals the TensorFlow tensor of the same name. Supported ops:
/// Conv2D, DepthwiseConv2dNative, FusedBatchNorm(V2/V3), BiasAdd, Relu, Relu6, Add, AddV2 and Identity.
///
/// Conversion recurses once per layer on the path to the input (Identity chains are walked iteratively), so the depth
/// is capped at ``maximumDepth`` layers: a hostile graph gets an error instead of overflowing the stack.
struct TensorFlowNetworkBuilder {
    /// Deepest chain of nested conversions (one per layer and activation on the path to the input); SSD MobileNetV2
    /// graphs need about 130. Small enough that the recursion fits a 512 KiB thread stack even in debug builds.
    static let maximumDepth = 500
    /// Largest activation (height × width × channels) a converted layer may produce: 1 GiB of float32.
    static let maximumActivationElements = 1 << 28

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

    /// Emitted value of each converted TensorFlow node, under the name it had when emitted (see ``renamed``).
    private var converted: [String: String] = [:]
    /// New names of values whose producer took a fused activation's name (each value is renamed at most once).
    private var renamed: [String: String] = [:]
    private var inProgress: Set<String> = []
    private var nodeIndex: [String: Int] = [:]
    private var parameterNames: Set<String> = []
    /// Nesting of `convert` calls in progress.
    private var depth = 0
    /// For each node, how many distinct non-Identity nodes read its value (directly or through Identity nodes).
    private let readerCounts: [String: Int]

    init(graph: TensorFlowGraph, inputNode: String, inputName: String, inputShape: [Int]) {
        self.graph = graph
        self.inputNode = inputNode
        self.inputName = inputName
        self.shapes = [inputName: inputShape]
        var counts: [String: Int] = [:]
        for node in graph.nodes where node.op != "Identity" {
            let sources = Set(graph.dataInputs(of: node).compactMap { graph.resolvingIdentity($0)?.name })
            for source in sources { counts[source, default: 0] += 1 }
        }
        self.readerCounts = counts
    }

    /// Converts the TensorFlow value `input` and everything it depends on; returns the emitted value name.
    mutating func convert(_ input: String) throws -> String {
        // Walk Identity chains iteratively, then remember every name walked so no chain is walked twice.
        var name = try valueSource(input)
        var walked: [String] = []
        while name != inputNode, converted[name] == nil, let node = graph.node(named: name), node.op == "Identity" {
            guard walked.count < graph.nodes.count else { throw unsupported(node, "the graph has a cycle of Identity nodes") }
            walked.append(name)
            name = try valueSource(graph.dataInputs(of: node)[0])
        }
        let value = try convertNode(name)
        for identity in walked where converted[identity] == nil { converted[identity] = value }
        return value
    }

    /// The node name of a data input that reads output 0 (the only output of the ops a network part uses).
    private func valueSource(_ input: String) throws -> String {
        guard let reference = TensorFlowInputReference(input), let node = graph.node(named: reference.node) else {
            throw ModelImportError.unsupportedGraph(
                file: graph.file, missing: "no node '\(ModelImportError.shown(input))'", found: graph.contentsSummary)
        }
        guard reference.port == 0 else {
            throw unsupported(node, "its output \(reference.port) is read; only output 0 of network layers is supported")
        }
        return reference.node
    }

    /// Converts the non-Identity node `name` (or returns the network input or an earlier result).
    private mutating func convertNode(_ name: String) throws -> String {
        if name == inputNode { return inputName }
        if let done = converted[name] { return renamed[done] ?? done }
        guard let node = graph.node(named: name) else {
            throw ModelImportError.unsupportedGraph(
                file: graph.file, missing: "no node '\(ModelImportError.shown(name))'", found: graph.contentsSummary)
        }
        guard inProgress.insert(name).inserted else {
            throw unsupported(node, "the graph has a cycle through this node")
        }
        guard depth < Self.maximumDepth else {
            throw unsupported(node, "the network is more than \(Self.maximumDepth) layers deep")
        }
        depth += 1
        defer {
            inProgress.remove(name)
            depth -= 1
        }
        let value: String
        switch node.op {
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
                node,
                "this op is not supported inside the network (supported: Conv2D, DepthwiseConv2dNative, "
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
        let inputShape = try shape(of: input, at: convNode)
        guard inputShape[2] == conv.inChannels else {
            throw unsupported(convNode, "weights expect \(conv.inChannels) input channels, the input has \(inputShape[2])")
        }
        guard let geometry = conv.geometry(height: inputShape[0], width: inputShape[1]) else {
            throw unsupported(convNode, "the kernel does not fit the \(inputShape[0])×\(inputShape[1]) input")
        }
        var weights = conv.oihwWeights
        var bias: [Float]?
        sourceParameterCount += weights.count
        let biasInput = biasAdd.map { graph.dataInputs(of: $0)[1] }
        if let biasAdd, let biasInput {
            let values = try graph.floats(biasInput)
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
        let biasName = biasInput.map { graph.resolvingIdentity($0)?.name ?? conv.biasParameterName } ?? conv.biasParameterName
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
        return try emit(
            NetworkNode(name: name, inputs: [input], operation: .convolution(convolution)),
            shape: [geometry.height, geometry.width, conv.outChannels], source: convNode)
    }

    private mutating func fold(
        _ batchNorm: Tensorflow_NodeDef, weights: [Float], outChannels: Int
    ) throws
        -> ([Float], [Float])
    {
        let inputs = graph.dataInputs(of: batchNorm)
        guard inputs.count == 5 else { throw unsupported(batchNorm, "expected 5 data inputs") }
        if batchNorm.attr["is_training"]?.b == true {
            throw unsupported(batchNorm, "is_training is true; export the graph for inference")
        }
        let format = batchNorm.attr["data_format"].map { String(decoding: $0.s, as: UTF8.self) } ?? "NHWC"
        guard format == "NHWC" else { throw unsupported(batchNorm, "data_format \(format) is not supported") }
        // TensorFlow's op default when the attribute is absent.
        let epsilon = batchNorm.attr["epsilon"]?.f ?? 0.0001
        let parts = try (1...4).map { try graph.floats(inputs[$0]) }
        guard parts.allSatisfy({ $0.count == outChannels }) else {
            throw unsupported(
                batchNorm, "gamma/beta/mean/variance have \(parts.map(\.count)) values, expected \(outChannels) each")
        }
        guard epsilon.isFinite, parts.allSatisfy({ $0.allSatisfy(\.isFinite) }),
            parts[3].allSatisfy({ Double($0) + Double(epsilon) > 0 })
        else {
            throw unsupported(batchNorm, "its parameters must be finite and variance + epsilon positive")
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
        let source = graph.dataInputs(of: node)[0]
        let value = try convert(source)
        let producer = graph.resolvingIdentity(source)?.name ?? source
        if let index = nodeIndex[value], readerCounts[producer] == 1, canFuse(nodes[index]) {
            // The pre-activation value has no other reader, so the activation joins the producing node, which takes
            // the activation's name (its output is now that tensor).
            var fused = nodes[index]
            fused.operation = fused.operation.withActivation(activation)
            fused.name = node.name
            nodeIndex[value] = nil
            nodeIndex[node.name] = index
            nodes[index] = fused
            shapes[node.name] = shapes.removeValue(forKey: value)
            renamed[value] = node.name
            return node.name
        }
        return try emit(
            NetworkNode(name: node.name, inputs: [value], operation: .activation(activation)), shape: shape(of: value, at: node),
            source: node)
    }

    private mutating func emitAdd(_ node: Tensorflow_NodeDef) throws -> String {
        let inputs = graph.dataInputs(of: node)
        guard inputs.count == 2 else { throw unsupported(node, "expected 2 data inputs") }
        _ = try convert(inputs[0])
        let right = try convert(inputs[1])
        // Converting the right operand may have fused an activation into the left one's producer and renamed it.
        let left = try convert(inputs[0])
        let leftShape = try shape(of: left, at: node)
        let rightShape = try shape(of: right, at: node)
        guard leftShape == rightShape else {
            throw unsupported(node, "operand shapes \(leftShape) and \(rightShape) differ (no broadcasting)")
        }
        return try emit(
            NetworkNode(name: node.name, inputs: [left, right], operation: .add(activation: .none)), shape: leftShape,
            source: node)
    }

    // MARK: - Helpers

    /// The convolution feeding a BatchNorm or BiasAdd, which must have no other reader.
    private func convolutionFeeding(_ node: Tensorflow_NodeDef) throws -> Tensorflow_NodeDef {
        guard let source = graph.dataInputs(of: node).first, TensorFlowInputReference(source)?.port == 0,
            let conv = graph.resolvingIdentity(source), conv.op == "Conv2D" || conv.op == "DepthwiseConv2dNative"
        else {
            throw unsupported(node, "it must directly follow a Conv2D or DepthwiseConv2dNative")
        }
        guard readerCounts[conv.name] == 1 else {
            throw unsupported(node, "convolution '\(conv.name)' has other readers, so it cannot be folded")
        }
        return conv
    }

    /// The [height, width, channels] of an emitted value; an error (not a trap) if the builder lost track of it.
    private func shape(of value: String, at node: Tensorflow_NodeDef) throws -> [Int] {
        guard let shape = shapes[value] else {
            throw unsupported(node, "input value '\(ModelImportError.shown(value))' has no known shape")
        }
        return shape
    }

    private func canFuse(_ node: NetworkNode) -> Bool {
        switch node.operation {
        case .convolution(let conv): return conv.activation == .none
        case .add(let activation): return activation == .none
        default: return false
        }
    }

    private mutating func emit(_ node: NetworkNode, shape: [Int], source: Tensorflow_NodeDef) throws -> String {
        let (area, overflow1) = shape[0].multipliedReportingOverflow(by: shape[1])
        let (elements, overflow2) = area.multipliedReportingOverflow(by: shape[2])
        guard !overflow1, !overflow2, elements <= Self.maximumActivationElements else {
            throw unsupported(
                source, "its output \(shape) has more than \(Self.maximumActivationElements) elements")
        }
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
