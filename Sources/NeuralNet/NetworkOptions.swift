import TensorEngine

/// How a ``Network`` runs.
public struct NetworkOptions: Sendable, Equatable {
    /// Threads for the engine's own kernels, which also split every SGEMM (OpenBLAS itself is set to one thread on
    /// every `forward`; that setting is process-global).
    /// Use cores minus the threads busy decoding video.
    public var threads: Int
    /// Run every op with its plain reference kernel instead of the fast one (tests, numerical debugging; very slow).
    public var referenceKernels: Bool
    /// Run the 3×3 stride-1 convolutions (VGG16, the SSD heads) by Winograd F(4×4, 3×3) where that is faster (the
    /// default): a quarter of the multiplications, at the price of float32 rounding about 1e-6 relative per layer. False
    /// keeps direct (im2col) convolution, whose sums differ from a reference only in their order.
    public var winograd: Bool
    /// Most bytes the compiled network may hold (``NetworkFootprint``: activations, repacked weights, scratch); a graph
    /// that needs more is rejected before anything is allocated.
    public var memoryLimit: Int
    /// Bounds on the values the graph may state.
    public var limits: GraphLimits
    /// The arithmetic of the convolutions (``Precision``; fp32 by default). A precision this CPU lacks the
    /// instructions for runs fp32 (``Precision/resolved(on:)`` gives the warning to print).
    public var precision: Precision = .fp32
    /// Calibrated input ranges of the INT8 convolutions, by node name (`ssdd model calibrate`); a 1×1 convolution
    /// without one quantizes its input from the input's own range on every call.
    public var activationRanges: [String: ActivationRange] = [:]
    /// Most images one ``Network/forward(batch:)`` runs (at least 1): the activation buffers are allocated for this
    /// many (``NetworkFootprint`` counts them), so a larger batch costs memory even when smaller ones run.
    public var maxBatch: Int = 1
    /// Whether consecutive convolutions run as fused steps (inverted-residual blocks, expansion + depthwise pairs), whose
    /// intermediate maps never reach memory. Calibration turns it off: it reads every convolution's input.
    public var fusesLayers = true

    /// The default ``memoryLimit``: 2 GiB, several times what SSD512 needs.
    public static let defaultMemoryLimit = 2 << 30

    public init(
        threads: Int = 1, referenceKernels: Bool = false, winograd: Bool = true, memoryLimit: Int = defaultMemoryLimit,
        limits: GraphLimits = .standard, maxBatch: Int = 1
    ) {
        self.threads = max(1, threads)
        self.referenceKernels = referenceKernels
        self.winograd = winograd
        self.memoryLimit = memoryLimit
        self.limits = limits
        self.maxBatch = max(1, maxBatch)
    }
}

/// Time spent in one node during ``Network/forwardProfiled(_:)``.
public struct NodeTiming: Sendable, Equatable {
    /// The node's name in the graph.
    public var name: String
    /// Operation kind and the kernel that ran, e.g. `conv3x3/gemm`, `conv3x3/depthwise3x3`, `maxPool`.
    public var kind: String
    /// Wall-clock milliseconds.
    public var milliseconds: Double
    /// Multiply-accumulates of the node's convolutions (0 for other kinds).
    public var multiplyAccumulates: Int

    public init(name: String, kind: String, milliseconds: Double, multiplyAccumulates: Int = 0) {
        self.name = name
        self.kind = kind
        self.milliseconds = milliseconds
        self.multiplyAccumulates = multiplyAccumulates
    }
}
