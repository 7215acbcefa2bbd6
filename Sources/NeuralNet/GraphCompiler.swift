import TensorEngine

/// Turns a ``NetworkGraph`` and its parameters into ``CompiledStep``s, checking every node and parameter on the way.
struct GraphCompiler {
    let graph: NetworkGraph
    let parameters: any ParameterSource
    let referenceKernels: Bool
    /// Whether 3×3 convolutions may use Winograd (``NetworkOptions/winograd``).
    let winograd: Bool
    private let available: Set<String>

    /// Result of compilation: steps in order, slot shapes, output slots.
    struct Result {
        var steps: [CompiledStep]
        var slotShapes: [[Int]]
        var outputSlots: [Int]
        var multiplyAccumulateCount: Int
    }

    init(graph: NetworkGraph, parameters: any ParameterSource, referenceKernels: Bool, winograd: Bool = true) {
        self.graph = graph
        self.referenceKernels = referenceKernels
        self.winograd = winograd
        self.parameters = parameters
        self.available = Set(parameters.parameterNames)
    }

    func compile() throws -> Result {
        let input = graph.inputShape
        guard input.count == 3, input.allSatisfy({ $0 > 0 }) else {
            throw NetworkError.invalidNode(node: graph.inputName, reason: "input shape \(input) is not a positive [H, W, C]")
        }
        var slots: [String: Int] = [graph.inputName: 0]
        var result = Result(steps: [], slotShapes: [input], outputSlots: [], multiplyAccumulateCount: 0)
        for node in graph.nodes {
            if slots[node.name] != nil {
                throw NetworkError.invalidNode(node: node.name, reason: "the name is already defined by an earlier node")
            }
            let inputSlots = try node.inputs.map { name in
                guard let slot = slots[name] else { throw NetworkError.unknownInput(node: node.name, input: name) }
                return slot
            }
            let shapes = inputSlots.map { result.slotShapes[$0] }
            let (work, shape, kind) = try compile(node, inputShapes: shapes)
            if case .convolution(let conv) = work { result.multiplyAccumulateCount += conv.geometry.multiplyAccumulateCount }
            let slot = result.slotShapes.count
            result.slotShapes.append(shape)
            slots[node.name] = slot
            result.steps.append(CompiledStep(name: node.name, kind: kind, work: work, inputs: inputSlots, output: slot, outputShape: shape))
        }
        result.outputSlots = try graph.outputs.map { name in
            guard let slot = slots[name] else { throw NetworkError.unknownInput(node: "outputs", input: name) }
            return slot
        }
        if !referenceKernels { result.steps = Self.fusingPairs(result.steps, outputs: Set(result.outputSlots)) }
        return result
    }

    /// Replaces each convolution whose only reader is the next step, itself a convolution, by one fused step where the
    /// engine has a kernel for the pair (``FusedConvolutions``): a 1×1 expansion into a depthwise 3×3. The fused step
    /// carries the second node's name; its kind names both kernels.
    static func fusingPairs(_ steps: [CompiledStep], outputs: Set<Int>) -> [CompiledStep] {
        var readers: [Int: Int] = [:]
        for step in steps { for slot in step.inputs { readers[slot, default: 0] += 1 } }
        var fused: [CompiledStep] = []
        var index = 0
        while index < steps.count {
            let step = steps[index]
            if index + 1 < steps.count, case .convolution(let first) = step.work,
               case .convolution(let second) = steps[index + 1].work, steps[index + 1].inputs == [step.output],
               readers[step.output] == 1, !outputs.contains(step.output), let pair = FusedConvolutions(first, second)
            {
                let next = steps[index + 1]
                fused.append(CompiledStep(name: next.name, kind: "\(step.kind)+\(next.kind)", work: .fusedConvolutions(pair),
                                          inputs: step.inputs, output: next.output, outputShape: next.outputShape))
                index += 2
            } else {
                fused.append(step)
                index += 1
            }
        }
        return fused
    }

    private func compile(_ node: NetworkNode, inputShapes: [[Int]]) throws -> (CompiledStep.Work, [Int], String) {
        func arity(_ n: Int) throws {
            if inputShapes.count != n {
                throw NetworkError.invalidNode(node: node.name, reason: "takes \(n) input(s), got \(inputShapes.count)")
            }
        }
        let pointwise: PointwiseAlgorithm = referenceKernels ? .reference : .vector
        switch node.operation {
        case .convolution(let c):
            try arity(1)
            let conv = try convolution(node.name, c, input: inputShapes[0])
            let kind = "conv\(c.kernelHeight)x\(c.kernelWidth)\(c.groups > 1 ? "g" : "")/\(conv.algorithm.rawValue)"
            return (.convolution(conv), conv.outputShape, kind)
        case .maxPool(let p):
            try arity(1)
            let s = inputShapes[0]
            let g = PoolingGeometry(
                inputHeight: s[0], inputWidth: s[1], channels: s[2], kernelHeight: p.kernelHeight, kernelWidth: p.kernelWidth,
                strideY: p.strideY, strideX: p.strideX, padding: Padding2D(p.padding), ceilMode: p.ceilMode)
            if let reason = g.invalidReason { throw NetworkError.invalidNode(node: node.name, reason: "max pool: \(reason)") }
            return (.maxPool(g, referenceKernels ? .reference : nil), [g.outputHeight, g.outputWidth, s[2]], "maxPool")
        case .add(let activation):
            try arity(2)
            if inputShapes[0] != inputShapes[1] {
                throw NetworkError.invalidNode(node: node.name, reason: "add of shapes \(inputShapes[0]) and \(inputShapes[1])")
            }
            return (.add(FusedActivation(activation), pointwise), inputShapes[0], "add")
        case .concatenate:
            guard let first = inputShapes.first else {
                throw NetworkError.invalidNode(node: node.name, reason: "concatenate needs at least one input")
            }
            if inputShapes.contains(where: { $0[0] != first[0] || $0[1] != first[1] }) {
                throw NetworkError.invalidNode(node: node.name, reason: "concatenate of different spatial sizes \(inputShapes)")
            }
            let channels = inputShapes.map { $0[2] }
            return (.concatenate(channels: channels), [first[0], first[1], channels.reduce(0, +)], "concatenate")
        case .l2Normalize(let scaleName, let epsilon):
            try arity(1)
            let scale = try parameter(scaleName, expected: [inputShapes[0][2]]) { TensorStorage(copying: $0) }
            return (.l2Normalize(scale: scale, epsilon: epsilon), inputShapes[0], "l2Normalize")
        case .activation(let activation):
            try arity(1)
            return (.activation(FusedActivation(activation), pointwise), inputShapes[0], "activation")
        }
    }

    private func convolution(_ name: String, _ c: Convolution, input s: [Int]) throws -> Convolution2D {
        let g = ConvolutionGeometry(
            inputHeight: s[0], inputWidth: s[1], inputChannels: s[2], outputChannels: c.outChannels,
            kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth, strideY: c.strideY, strideX: c.strideX,
            dilationY: c.dilationY, dilationX: c.dilationX, groups: c.groups, padding: Padding2D(c.padding))
        if let reason = g.invalidReason { throw NetworkError.invalidNode(node: name, reason: "convolution on \(s): \(reason)") }
        let activation = FusedActivation(c.activation)
        let bias: TensorStorage? = try c.bias.map { try parameter($0, expected: [c.outChannels]) { TensorStorage(copying: $0) } }
        let algorithm: ConvolutionAlgorithm? = referenceKernels ? .reference : nil
        return try parameter(c.weight, expected: g.weightShape) { weights in
            if let bias {
                return Convolution2D(geometry: g, weights: weights,
                                     bias: UnsafeBufferPointer(start: bias.pointer, count: bias.count), activation: activation,
                                     algorithm: algorithm, allowingWinograd: winograd)
            }
            return Convolution2D(geometry: g, weights: weights, bias: nil, activation: activation, algorithm: algorithm,
                                 allowingWinograd: winograd)
        }
    }

    /// Lends parameter `name` to `body` after checking it exists and has shape `expected`.
    private func parameter<R>(_ name: String, expected: [Int], _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        guard available.contains(name) else { throw NetworkError.missingParameter(name) }
        // Kernels keep their own repacked copies: the source's pages (a mapped model file) can go, which keeps the
        // file from adding its whole size to the peak memory of compilation.
        defer { parameters.releaseParameter(named: name) }
        return try parameters.withParameter(named: name) { view in
            guard view.shape == expected, view.values.count == expected.reduce(1, *) else {
                throw NetworkError.parameterShape(name: name, expected: expected, actual: view.shape)
            }
            return try body(view.values)
        }
    }
}

extension Padding2D {
    /// The engine's padding for a graph padding.
    init(_ p: Padding) { self.init(top: p.top, left: p.left, bottom: p.bottom, right: p.right) }
}

extension FusedActivation {
    /// The engine's activation for a graph activation.
    init(_ a: Activation) {
        switch a {
        case .none: self = .none
        case .relu: self = .relu
        case .relu6: self = .relu6
        }
    }
}
