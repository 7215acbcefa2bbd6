import Synchronization
import TensorEngine

/// A compiled, runnable network: a ``NetworkGraph`` with its weights repacked and its activation buffers allocated.
///
/// - Important: a `Network` runs one `forward` at a time. It owns mutable buffers and a worker pool, so callers must use
///   it from one thread at a time (the detector keeps it on its dedicated inference thread). A concurrent second call is a
///   programming error and traps (checked with an atomic flag), which is what makes the `@unchecked Sendable` below sound:
///   the network may be handed to another thread, but never used by two at once.
public final class Network: @unchecked Sendable {
    /// The graph this network was compiled from.
    public let graph: NetworkGraph
    public let options: NetworkOptions
    /// Multiply-accumulates of all convolutions in one forward pass.
    public let multiplyAccumulateCount: Int
    /// `[H, W, C]` of each graph output, in ``NetworkGraph/outputs`` order.
    public let outputShapes: [[Int]]

    let steps: [CompiledStep]
    /// Buffers for ``NetworkOptions/maxBatch`` images: image `i` of slot `s` starts `i · slotSizes[s]` floats in.
    let plan: BufferPlan
    /// Floats of one image's value in each slot.
    let slotSizes: [Int]
    let outputSlots: [Int]
    let scratch: TensorStorage
    let pool: ComputePool
    let busy = Atomic<Bool>(false)

    /// Compiles `graph` with weights from `parameters`.
    ///
    /// - Throws: ``NetworkError/missingParameter(_:)``, ``NetworkError/parameterShape(name:expected:actual:)`` (weights
    ///   OIHW `[out, in/groups, kh, kw]`, bias `[out]`, L2 scale `[C]`), ``NetworkError/unknownInput(node:input:)``,
    ///   ``NetworkError/invalidNode(node:reason:)``, ``NetworkError/invalidValue(key:reason:)`` (a value outside
    ///   ``NetworkOptions/limits``), ``NetworkError/exceedsMemoryLimit(footprint:limit:)`` (checked before anything is
    ///   allocated); or whatever `parameters` throws while reading.
    public init(graph: NetworkGraph, parameters: any ParameterSource, options: NetworkOptions = NetworkOptions()) throws {
        let shapes = try GraphShapes(graph, limits: options.limits)
        let footprint = try NetworkFootprint(shapes: shapes, options: options)
        guard footprint.bytes <= options.memoryLimit else {
            throw NetworkError.exceedsMemoryLimit(footprint: footprint, limit: options.memoryLimit)
        }
        let compiled = try GraphCompiler(
            graph: graph, parameters: parameters, referenceKernels: options.referenceKernels,
            winograd: options.winograd, precision: options.precision, activationRanges: options.activationRanges,
            fusesLayers: options.fusesLayers
        ).compile(shapes)
        self.graph = graph
        self.options = options
        self.steps = compiled.steps
        self.outputSlots = compiled.outputSlots
        self.outputShapes = compiled.outputSlots.map { compiled.slotShapes[$0] }
        self.multiplyAccumulateCount = compiled.multiplyAccumulateCount
        self.slotSizes = compiled.slotShapes.map { $0.reduce(1, *) }
        // Room for `maxBatch` images per value (NetworkFootprint counted it); a single image uses the first.
        self.plan = BufferPlan(
            sizes: slotSizes.map { $0 * options.maxBatch }, steps: compiled.steps.map { ($0.inputs, $0.output) },
            pinned: Set(compiled.outputSlots))
        var scratchCount = 0
        for step in compiled.steps {
            if case .convolution(let conv) = step.work {
                scratchCount = max(scratchCount, conv.scratchCount(threads: options.threads))
            }
            if case .fusedConvolutions(let pair) = step.work {
                scratchCount = max(scratchCount, pair.scratchCount(threads: options.threads))
            }
            if case .fusedInvertedResidual(let block) = step.work {
                scratchCount = max(scratchCount, block.scratchCount(threads: options.threads))
            }
        }
        self.scratch = TensorStorage(count: scratchCount)
        self.pool = ComputePool(threadCount: options.threads)
    }

    private init(replicating other: Network) {
        graph = other.graph
        options = other.options
        multiplyAccumulateCount = other.multiplyAccumulateCount
        outputShapes = other.outputShapes
        steps = other.steps
        plan = other.plan.withNewBuffers()
        slotSizes = other.slotSizes
        outputSlots = other.outputSlots
        scratch = TensorStorage(count: other.scratch.count)
        pool = ComputePool(threadCount: other.options.threads)
    }

    /// A network that shares this one's compiled weights (read-only after compilation) but has its own activation
    /// buffers, scratch and threads, so the two can run at the same time on different threads. The daemon's workers
    /// use one per model: the repacked weights (4× the 3×3 weights with Winograd, hundreds of MB for SSD300) exist once.
    public func replica() -> Network { Network(replicating: self) }

    /// Floats held by preallocated activation buffers and scratch.
    public var preallocatedCount: Int { plan.totalCount + scratch.count }

    /// Runs the network on `input` (`[H, W, C]` or `[1, H, W, C]`, the graph's input shape) and returns the graph's
    /// outputs in order, each `[H, W, C]`.
    ///
    /// - Throws: ``NetworkError/inputShape(expected:actual:)``.
    public func forward(_ input: Tensor) throws -> [Tensor] {
        try execute(input, timings: nil)
    }

    /// Like ``forward(_:)``, and also returns the time spent in every step, in execution order: one per node, except that
    /// a fused pair of convolutions (``FusedConvolutions``) reports once, under the second node's name.
    public func forwardProfiled(_ input: Tensor) throws -> (outputs: [Tensor], timings: [NodeTiming]) {
        var timings: [NodeTiming] = []
        timings.reserveCapacity(steps.count)
        let outputs = try execute(input, timings: &timings)
        return (outputs, timings)
    }

    /// Runs the steps; `observe(slot, values)` (calibration) sees every step's inputs before the step runs.
    func execute(
        _ input: Tensor, timings: UnsafeMutablePointer<[NodeTiming]>?, observe: ((Int, UnsafePointer<Float>) -> Void)? = nil
    ) throws -> [Tensor] {
        let expected = graph.inputShape
        guard input.shape == expected || input.shape == [1] + expected else {
            throw NetworkError.inputShape(expected: expected, actual: input.shape)
        }
        let (exchanged, _) = busy.compareExchange(expected: false, desired: true, ordering: .acquiring)
        precondition(exchanged, "Network.forward: called concurrently; a Network must be used from one thread at a time")
        defer { busy.store(false, ordering: .releasing) }
        // The engine splits every SGEMM across its own pool (see GEMMConvolution), so OpenBLAS runs single-threaded: its
        // workers would otherwise spin after each call against the pool's threads (notes, trap 26).
        BLAS.setThreadCount(1)
        return input.withUnsafeBufferPointer { x in
            // Steps never write slot 0, so the caller's tensor is only read.
            let values = plan.bufferOfSlot.map { index in
                index.map { plan.buffers[$0].pointer } ?? UnsafeMutablePointer(mutating: x.baseAddress!)
            }
            let clock = ContinuousClock()
            for step in steps {
                if let observe { for slot in step.inputs { observe(slot, values[slot]) } }
                if let timings {
                    let start = clock.now
                    step.run(values: values, scratch: scratch.pointer, pool: pool)
                    let elapsed = start.duration(to: clock.now).components
                    let ms = Double(elapsed.seconds) * 1e3 + Double(elapsed.attoseconds) * 1e-15
                    timings.pointee.append(
                        NodeTiming(name: step.name, kind: step.kind, milliseconds: ms, multiplyAccumulates: step.multiplyAccumulates))
                } else {
                    step.run(values: values, scratch: scratch.pointer, pool: pool)
                }
            }
            return zip(outputSlots, outputShapes).map { slot, shape in
                Tensor(shape: shape, storage: TensorStorage(copying: UnsafeBufferPointer(start: values[slot], count: shape.reduce(1, *))))
            }
        }
    }
}
