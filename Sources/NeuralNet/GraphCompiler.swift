import TensorEngine

/// Turns a ``NetworkGraph`` and its parameters into ``CompiledStep``s, checking every node and parameter on the way.
struct GraphCompiler {
    let graph: NetworkGraph
    let parameters: any ParameterSource
    let referenceKernels: Bool
    /// Whether 3×3 convolutions may use Winograd (``NetworkOptions/winograd``).
    let winograd: Bool
    /// ``NetworkOptions/precision`` and ``NetworkOptions/activationRanges``.
    let precision: Precision
    /// ``NetworkOptions/fusesLayers``.
    let fusesLayers: Bool
    let activationRanges: [String: ActivationRange]
    private let available: Set<String>

    /// Result of compilation: steps in order, slot shapes, output slots.
    struct Result {
        var steps: [CompiledStep]
        var slotShapes: [[Int]]
        var outputSlots: [Int]
        var multiplyAccumulateCount: Int
    }

    init(
        graph: NetworkGraph, parameters: any ParameterSource, referenceKernels: Bool, winograd: Bool = true, precision: Precision = .fp32,
        activationRanges: [String: ActivationRange] = [:], fusesLayers: Bool = true
    ) {
        self.fusesLayers = fusesLayers
        self.precision = precision
        self.activationRanges = activationRanges
        self.graph = graph
        self.referenceKernels = referenceKernels
        self.winograd = winograd
        self.parameters = parameters
        self.available = Set(parameters.parameterNames)
    }

    /// Builds the steps of a graph whose shapes `shapes` inferred (and so checked).
    func compile(_ shapes: GraphShapes) throws -> Result {
        var result = Result(
            steps: [], slotShapes: shapes.slotShapes, outputSlots: shapes.outputSlots,
            multiplyAccumulateCount: shapes.multiplyAccumulateCount)
        for (index, node) in graph.nodes.enumerated() {
            let inputSlots = shapes.nodeInputs[index]
            let output = index + 1
            let (work, kind) = try compile(node, window: shapes.windows[index], inputShapes: inputSlots.map { shapes.slotShapes[$0] })
            result.steps.append(
                CompiledStep(name: node.name, kind: kind, work: work, inputs: inputSlots, output: output, outputShape: shapes.slotShapes[output]))
        }
        if !referenceKernels && fusesLayers {
            result.steps = Self.fusingBlocks(result.steps, outputs: Set(result.outputSlots))
            result.steps = Self.fusingPairs(result.steps, outputs: Set(result.outputSlots))
        }
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
                fused.append(
                    CompiledStep(
                        name: next.name, kind: "\(step.kind)+\(next.kind)", work: .fusedConvolutions(pair),
                        inputs: step.inputs, output: next.output, outputShape: next.outputShape))
                index += 2
            } else {
                fused.append(step)
                index += 1
            }
        }
        return fused
    }

    /// Replaces each inverted-residual block — a 1×1 expansion (optional), a depthwise 3×3 and a 1×1 projection, each the
    /// only reader of the one before, then optionally the add of the block's input, the only reader of the projection —
    /// by one fused step where the engine has a kernel for it (``FusedInvertedResidual``). The fused step carries the
    /// last node's name; its kind names every kernel. Intermediate values that are graph outputs are never fused away.
    static func fusingBlocks(_ steps: [CompiledStep], outputs: Set<Int>) -> [CompiledStep] {
        var readers: [Int: Int] = [:]
        for step in steps { for slot in step.inputs { readers[slot, default: 0] += 1 } }
        /// Whether `step`'s value feeds only the step after it.
        func isPrivate(_ step: CompiledStep) -> Bool { readers[step.output] == 1 && !outputs.contains(step.output) }
        func convolution(_ index: Int) -> Convolution2D? {
            guard index < steps.count, case .convolution(let conv) = steps[index].work else { return nil }
            return conv
        }
        var fused: [CompiledStep] = []
        var index = 0
        while index < steps.count {
            // With an expansion: steps index, +1, +2; without: index, +1.
            var match: (expand: Convolution2D?, depthwise: Convolution2D, project: Convolution2D, last: Int)?
            if let e = convolution(index), let d = convolution(index + 1), let p = convolution(index + 2),
                steps[index + 1].inputs == [steps[index].output], steps[index + 2].inputs == [steps[index + 1].output],
                isPrivate(steps[index]), isPrivate(steps[index + 1]), e.geometry.groups == 1, d.geometry.groups > 1
            {
                match = (e, d, p, index + 2)
            } else if let d = convolution(index), let p = convolution(index + 1), steps[index + 1].inputs == [steps[index].output],
                isPrivate(steps[index]), d.geometry.groups > 1
            {
                match = (nil, d, p, index + 1)
            }
            guard let match else {
                fused.append(steps[index])
                index += 1
                continue
            }
            let blockInput = steps[index].inputs[0]
            let projectStep = steps[match.last]
            var residual: FusedActivation?
            var last = match.last
            if match.last + 1 < steps.count, case .add(let activation, _) = steps[match.last + 1].work, isPrivate(projectStep),
                Set(steps[match.last + 1].inputs) == [blockInput, projectStep.output], steps[match.last + 1].inputs.count == 2,
                blockInput != projectStep.output
            {
                residual = activation
                last = match.last + 1
            }
            var block = FusedInvertedResidual(expand: match.expand, depthwise: match.depthwise, project: match.project, residual: residual)
            if block == nil && residual != nil {
                last = match.last
                block = FusedInvertedResidual(expand: match.expand, depthwise: match.depthwise, project: match.project, residual: nil)
            }
            guard let block else {
                fused.append(steps[index])
                index += 1
                continue
            }
            fused.append(
                CompiledStep(
                    name: steps[last].name, kind: steps[index...last].map(\.kind).joined(separator: "+"),
                    work: .fusedInvertedResidual(block), inputs: [blockInput], output: steps[last].output,
                    outputShape: steps[last].outputShape))
            index = last + 1
        }
        return fused
    }

    /// The work of one node whose attributes and shapes ``GraphShapes`` checked.
    private func compile(_ node: NetworkNode, window: GraphShapes.Window, inputShapes: [[Int]]) throws -> (CompiledStep.Work, String) {
        let pointwise: PointwiseAlgorithm = referenceKernels ? .reference : .vector
        switch (node.operation, window) {
        case (.convolution(let c), .convolution(let g)):
            let conv = try convolution(c, geometry: g, name: node.name)
            if conv.precision != .fp32 { return (.convolution(conv), "conv\(c.kernelHeight)x\(c.kernelWidth)/\(conv.precision.rawValue)") }
            return (.convolution(conv), "conv\(c.kernelHeight)x\(c.kernelWidth)\(c.groups > 1 ? "g" : "")/\(conv.algorithm.rawValue)")
        case (.maxPool, .maxPool(let g)):
            return (.maxPool(g, referenceKernels ? .reference : nil), "maxPool")
        case (.add(let activation), _):
            return (.add(FusedActivation(activation), pointwise), "add")
        case (.concatenate, _):
            return (.concatenate(channels: inputShapes.map { $0[2] }), "concatenate")
        case (.l2Normalize(let scaleName, let epsilon), _):
            let scale = try parameter(scaleName, expected: [inputShapes[0][2]]) { TensorStorage(copying: $0) }
            return (.l2Normalize(scale: scale, epsilon: epsilon), "l2Normalize")
        case (.activation(let activation), _):
            return (.activation(FusedActivation(activation), pointwise), "activation")
        case (.convolution, _), (.maxPool, _):
            preconditionFailure("GraphShapes gives every convolution and pooling node its window")
        }
    }

    private func convolution(_ c: Convolution, geometry g: ConvolutionGeometry, name: String) throws -> Convolution2D {
        let activation = FusedActivation(c.activation)
        let bias: TensorStorage? = try c.bias.map { try parameter($0, expected: [c.outChannels]) { TensorStorage(copying: $0) } }
        let algorithm: ConvolutionAlgorithm? = referenceKernels ? .reference : nil
        return try parameter(c.weight, expected: g.weightShape) { weights in
            if precision != .fp32 && !referenceKernels {
                let range = activationRanges[name]
                return Convolution2D(
                    geometry: g, weights: weights, bias: bias.map { UnsafeBufferPointer(start: $0.pointer, count: $0.count) },
                    activation: activation, precision: precision,
                    calibration: range.map { ActivationQuantization(low: $0.low, high: $0.high) }, allowingWinograd: winograd)
            }
            if let bias {
                return Convolution2D(
                    geometry: g, weights: weights,
                    bias: UnsafeBufferPointer(start: bias.pointer, count: bias.count), activation: activation,
                    algorithm: algorithm, allowingWinograd: winograd)
            }
            return Convolution2D(
                geometry: g, weights: weights, bias: nil, activation: activation, algorithm: algorithm,
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
