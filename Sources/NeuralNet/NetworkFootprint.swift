import TensorEngine

/// The memory a compiled ``Network`` will hold, computed from its graph alone (no weights read, nothing allocated) with
/// checked arithmetic, so a graph whose network would not fit is rejected before the first allocation.
///
/// Activations are the buffer plan of the unfused graph (fusing two convolutions only removes a value from it);
/// weights and scratch are upper bounds of what each convolution's kernel (``ConvolutionAlgorithm/preferred(for:allowingWinograd:)``)
/// repacks and needs: Winograd keeps 36 values per 3×3 filter (4× the weights), tiled kernels pad the output channels to
/// whole panels, im2col needs a block of rows, the 1×1→depthwise fusion a band of rows per thread, INT8 a byte per value
/// of a windowed convolution's input.
public struct NetworkFootprint: Sendable, Equatable, CustomStringConvertible {
    /// Floats of the activation buffers.
    public var activationFloats: Int
    /// Floats of repacked weights and biases (upper bound).
    public var weightFloats: Int
    /// Floats of scratch (upper bound).
    public var scratchFloats: Int

    /// Bytes of all three.
    public var bytes: Int {
        (CheckedSize.sum(activationFloats, weightFloats, scratchFloats)).flatMap { CheckedSize.product($0, 4) } ?? .max
    }

    public var description: String {
        "\(Self.format(bytes: bytes)) (activations \(Self.format(bytes: activationFloats.multipliedSaturating(4))), weights "
            + "\(Self.format(bytes: weightFloats.multipliedSaturating(4))), scratch \(Self.format(bytes: scratchFloats.multipliedSaturating(4))))"
    }

    /// `bytes` in MiB or GiB, one decimal.
    public static func format(bytes: Int) -> String {
        if bytes == .max { return "more than 8 EiB" }
        let mib = Double(bytes) / Double(1 << 20)
        if mib < 1024 { return "\((mib * 10).rounded() / 10) MiB" }
        return "\((mib / 1024 * 10).rounded() / 10) GiB"
    }

    public init(activationFloats: Int, weightFloats: Int, scratchFloats: Int) {
        self.activationFloats = activationFloats
        self.weightFloats = weightFloats
        self.scratchFloats = scratchFloats
    }

    /// Output channels rounded up to the widest GEMM panel of any kernel.
    private static let panelWidth = 64

    /// Infers the graph's shapes (checking every value against `limits`) and sizes the network `options` would build.
    init(shapes: GraphShapes, options: NetworkOptions) throws(NetworkError) {
        let sizes = shapes.slotShapes.map { CheckedSize.product($0) ?? .max }
        let steps = shapes.nodeInputs.enumerated().map { (inputs: $0.element, output: $0.offset + 1) }
        let layout = BufferPlan.layout(sizes: sizes, steps: steps, pinned: Set(shapes.outputSlots))
        // Every activation buffer holds `maxBatch` images (``NetworkOptions/maxBatch``).
        guard let activations = CheckedSize.sum(layout.capacities).flatMap({ CheckedSize.product($0, max(1, options.maxBatch)) }) else {
            throw .invalidValue(key: "nodes", reason: "need more activation memory than an Int counts")
        }
        var weights = 0
        var scratch = 0
        for window in shapes.windows {
            guard case .convolution(let g) = window else { continue }
            guard let bound = Self.convolutionBound(g, options: options),
                let total = CheckedSize.sum(weights, bound.weights)
            else { throw .invalidValue(key: "nodes", reason: "need more weight memory than an Int counts") }
            weights = total
            scratch = max(scratch, bound.scratch)
        }
        self.init(activationFloats: activations, weightFloats: weights, scratchFloats: scratch)
    }

    /// Upper bounds of the floats one convolution repacks (weights and bias) and of the scratch it needs.
    private static func convolutionBound(_ g: ConvolutionGeometry, options: NetworkOptions) -> (weights: Int, scratch: Int)? {
        let algorithm: ConvolutionAlgorithm =
            options.referenceKernels ? .reference : .preferred(for: g, allowingWinograd: options.winograd)
        let threads = max(1, options.threads)
        let cin = g.inputChannels, cout = g.outputChannels
        guard let paddedOut = CheckedSize.sum(cout, panelWidth - 1).map({ $0 / panelWidth * panelWidth }),
            let depth = CheckedSize.product(g.kernelHeight, g.kernelWidth, g.inputChannelsPerGroup),
            let pixels = CheckedSize.product(g.outputHeight, g.outputWidth)
        else { return nil }
        let weights: Int?
        var scratch: Int? = 0
        switch algorithm {
        case .winograd:
            weights = CheckedSize.product(36, paddedOut, cin)
            // Blocks of at most 240 tiles of 36 positions, input and output channels, one block per thread.
            scratch = CheckedSize.sum(cin, paddedOut).flatMap { CheckedSize.product(threads, 240, 36, $0) }
        case .tiledGEMM:
            weights = CheckedSize.product(paddedOut, depth)
        case .gemm:
            weights = CheckedSize.product(cout, depth)
            scratch = CheckedSize.product(pixels, depth)
        case .depthwise3x3, .reference:
            weights = CheckedSize.product(cout, depth)
        }
        // The 1×1 expansion fused into a depthwise 3×3 reads bands of the expanded rows, one band per thread.
        if g.groups > 1 {
            let bandRows = CheckedSize.product(g.strideY, max(4, g.outputHeight)).flatMap { CheckedSize.sum($0, 3) }
            // A fused inverted-residual block also holds a band of the depthwise output rows.
            let outputBand = CheckedSize.product(g.outputHeight, g.outputWidth, cout)
            let band = bandRows.flatMap { CheckedSize.product($0, g.inputWidth, cin) }.flatMap { expanded in
                outputBand.flatMap { CheckedSize.sum(expanded, $0) }
            }.flatMap { CheckedSize.product(threads, $0) }
            scratch = scratch.flatMap { current in band.map { max(current, $0) } }
        }
        // INT8 quantizes a windowed convolution's whole input once into the scratch, a byte per value.
        if options.precision == .int8 && g.groups == 1 {
            let mapFloats = CheckedSize.product(g.inputHeight, g.inputWidth, cin).flatMap { CheckedSize.sum($0, 3) }.map { $0 / 4 }
            scratch = scratch.flatMap { current in mapFloats.map { max(current, $0) } }
        }
        guard let weights, let scratch, let withBias = CheckedSize.sum(weights, paddedOut) else { return nil }
        return (withBias, scratch)
    }
}

extension NetworkGraph {
    /// The memory a ``Network`` compiled from this graph with `options` will hold, after checking every value of the
    /// graph against `limits` and inferring its shapes; allocates nothing.
    ///
    /// - Throws: ``NetworkError/invalidValue(key:reason:)``, ``NetworkError/invalidNode(node:reason:)``,
    ///   ``NetworkError/unknownInput(node:input:)``.
    public func footprint(
        options: NetworkOptions = NetworkOptions(), limits: GraphLimits = .standard
    ) throws(NetworkError)
        -> NetworkFootprint
    {
        try NetworkFootprint(shapes: GraphShapes(self, limits: limits), options: options)
    }

    /// `[H, W, C]` of each graph output, inferred and checked as ``footprint(options:limits:)`` does.
    public func outputShapes(limits: GraphLimits = .standard) throws(NetworkError) -> [[Int]] {
        let shapes = try GraphShapes(self, limits: limits)
        return shapes.outputSlots.map { shapes.slotShapes[$0] }
    }
}

extension Int {
    /// `self × factor` for non-negative operands, or `Int.max` when that overflows.
    func multipliedSaturating(_ factor: Int) -> Int {
        let (result, overflow) = multipliedReportingOverflow(by: factor)
        return overflow ? .max : result
    }

    /// `self + term` for non-negative operands, or `Int.max` when that overflows.
    func addingSaturating(_ term: Int) -> Int {
        let (result, overflow) = addingReportingOverflow(term)
        return overflow ? .max : result
    }
}
