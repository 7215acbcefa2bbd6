import NeuralNet
import TensorEngine

/// A ``NetworkGraph`` that can be differentiated: a batched forward pass that keeps what backward needs, and a backward
/// pass giving the gradient of a scalar loss with respect to every parameter (and optionally the input).
///
/// Runs the same graph the inference engine compiles, with weights from a ``ParameterSet`` instead of a model file.
/// Images of a batch are independent, so both passes split the batch over a ``ComputePool``: each worker runs whole
/// images with single-threaded SGEMM and accumulates parameter gradients into its own buffers, which are summed at the end.
///
/// - Important: like `Network`, one pass at a time: the pool must be driven from one thread.
public final class TrainableNetwork {
    /// The graph being trained.
    public let graph: NetworkGraph
    /// Worker threads (including the caller).
    public let threads: Int
    let shapes: GraphShapes
    private let pool: ComputePool

    /// Checks the graph's shapes and starts `threads − 1` workers.
    public init(graph: NetworkGraph, threads: Int = 1) throws {
        self.graph = graph
        self.shapes = try GraphShapes(graph)
        self.threads = max(1, threads)
        self.pool = ComputePool(threadCount: self.threads)
    }

    /// Per-image `[H, W, C]` of each graph output.
    public var outputShapes: [[Int]] { shapes.outputSlots.map { shapes.slotShapes[$0] } }

    /// Runs `batch` (`[N, H, W, C]`, or `[H, W, C]` for one image) with `parameters`.
    ///
    /// - Throws: ``TrainerError/shapeMismatch(_:expected:actual:)`` for a wrong input or parameter shape,
    ///   `NetworkError.missingParameter` for an absent parameter.
    public func forward(_ batch: Tensor, parameters: ParameterSet) throws -> ForwardPass {
        let inputShape = graph.inputShape
        let n: Int
        if batch.shape == inputShape {
            n = 1
        } else if batch.shape.count == 4 && Array(batch.shape.dropFirst()) == inputShape {
            n = batch.shape[0]
        } else {
            throw TrainerError.shapeMismatch("network input", expected: [-1] + inputShape, actual: batch.shape)
        }
        let nodes = try prepare(parameters)
        let sizes = shapes.slotShapes.map { $0.reduce(1, *) }
        var slots = [batch.withUnsafeBufferPointer { TensorStorage(copying: $0) }]
        for size in sizes.dropFirst() { slots.append(TensorStorage(count: n * size)) }
        let pointers = slots.map(\.pointer)
        BLAS.setThreadCount(1)
        pool.run(tasks: n) { image in
            for (index, node) in nodes.enumerated() {
                let inputs = self.shapes.inputSlots[index].map { UnsafePointer(pointers[$0] + image * sizes[$0]) }
                let output = pointers[index + 1] + image * sizes[index + 1]
                self.runForward(node, inputs: inputs, inputSlots: self.shapes.inputSlots[index], output: output)
            }
        }
        return ForwardPass(batchSize: n, slotShapes: shapes.slotShapes, slots: slots, outputSlots: shapes.outputSlots, parameters: parameters)
    }

    /// Back-propagates `outputGradients` (`∂L/∂output`, one `[N, H, W, C]` tensor per graph output) through `pass`.
    ///
    /// - Parameters:
    ///   - isTrainable: which parameters get gradients; others (frozen) are left out of the result, and layers that
    ///     lead only to frozen parameters are not back-propagated through at all.
    ///   - inputGradient: also return `∂L/∂input` (gradient checks); otherwise the first layer skips it.
    public func backward(
        _ pass: ForwardPass, outputGradients: [Tensor], isTrainable: (String) -> Bool = { _ in true }, inputGradient: Bool = false
    ) throws -> Gradients {
        let n = pass.batchSize
        let outputShapes = self.outputShapes
        guard outputGradients.count == outputShapes.count else {
            throw TrainerError.shapeMismatch("output gradient list", expected: [outputShapes.count], actual: [outputGradients.count])
        }
        for (k, gradient) in outputGradients.enumerated() where gradient.shape != [n] + outputShapes[k] {
            throw TrainerError.shapeMismatch("gradient of output '\(graph.outputs[k])'", expected: [n] + outputShapes[k], actual: gradient.shape)
        }
        let nodes = try prepare(pass.parameters)
        let trainableNames = Set(nodes.flatMap(\.parameterNames).filter(isTrainable))
        let needs = requiresGradient(nodes, trainable: trainableNames, input: inputGradient)
        // One accumulator per worker and trainable parameter.
        let names = pass.parameters.orderedNames.filter { trainableNames.contains($0) }
        let counts = names.map { pass.parameters[$0]!.count }
        let workers = min(threads, n)
        let accumulators = (0..<workers).map { _ in counts.map { TensorStorage(count: $0) } }
        let slotOfName = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let inputGradientStorage = inputGradient ? TensorStorage(count: pass.slots[0].count) : nil
        let gradientPointers = outputGradients.map { $0.withUnsafeBufferPointer { TensorStorage(copying: $0) } }
        BLAS.setThreadCount(1)
        pool.run(tasks: workers) { worker in
            let accumulator = accumulators[worker].map(\.pointer)
            for image in stride(from: worker, to: n, by: workers) {
                self.backwardImage(
                    image, pass: pass, nodes: nodes, needs: needs, outputGradients: gradientPointers,
                    parameterGradient: { name in slotOfName[name].map { accumulator[$0] } },
                    inputGradient: inputGradientStorage.map { $0.pointer + image * pass.slots[0].count / n })
            }
        }
        var result = ParameterSet()
        for (index, name) in names.enumerated() {
            var total = Tensor(shape: pass.parameters[name]!.shape)
            total.withUnsafeMutableBufferPointer { sum in
                for accumulator in accumulators {
                    let p = accumulator[index].pointer
                    for i in 0..<sum.count { sum[i] += p[i] }
                }
            }
            result[name] = total
        }
        return Gradients(parameters: result, input: inputGradientStorage.map { Tensor(shape: [n] + graph.inputShape, storage: $0) })
    }

    private func prepare(_ parameters: ParameterSet) throws -> [PreparedNode] {
        try graph.nodes.enumerated().map { index, node in
            try PreparedNode(node, inputShapes: shapes.inputShapes(of: index), parameters: parameters)
        }
    }

    /// Whether each slot's gradient is needed: the input only when asked; a node's output when one of its own
    /// parameters is trainable or one of its inputs needs a gradient.
    private func requiresGradient(_ nodes: [PreparedNode], trainable: Set<String>, input: Bool) -> [Bool] {
        var needs = [input]
        for (index, node) in nodes.enumerated() {
            needs.append(node.parameterNames.contains(where: trainable.contains) || shapes.inputSlots[index].contains { needs[$0] })
        }
        return needs
    }

    private func runForward(_ node: PreparedNode, inputs: [UnsafePointer<Float>], inputSlots: [Int], output: UnsafeMutablePointer<Float>) {
        let outputCount = shapes.slotShapes[inputSlots[0]].reduce(1, *)
        switch node {
        case .convolution(let conv, _, _):
            conv.forward(inputs[0], output)
        case .maxPool(let g):
            PoolingGradient.forward(g, inputs[0], output)
        case .add(let activation):
            for i in 0..<outputCount { output[i] = activation.apply(inputs[0][i] + inputs[1][i]) }
        case .concatenate:
            let first = shapes.slotShapes[inputSlots[0]]
            let pixels = first[0] * first[1]
            let total = inputSlots.reduce(0) { $0 + shapes.slotShapes[$1][2] }
            var offset = 0
            for (pointer, slot) in zip(inputs, inputSlots) {
                let channels = shapes.slotShapes[slot][2]
                for p in 0..<pixels { (output + p * total + offset).update(from: pointer + p * channels, count: channels) }
                offset += channels
            }
        case .l2Normalize(let scale, _, let epsilon):
            let shape = shapes.slotShapes[inputSlots[0]]
            scale.withUnsafeBufferPointer { s in
                L2NormalizeGradient.forward(
                    inputs[0], scale: s.baseAddress!, epsilon: epsilon, output, pixels: shape[0] * shape[1], channels: shape[2])
            }
        case .activation(let activation):
            for i in 0..<outputCount { output[i] = activation.apply(inputs[0][i]) }
        }
    }
}
