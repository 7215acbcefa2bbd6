/// A MobileNetV2 inverted-residual block run as one step: an optional 1×1 expansion, a depthwise 3×3, a 1×1
/// projection and an optional residual add of the block's input (``InvertedResidualFusion``). The results are those of
/// running the convolutions one after the other and then the add; the intermediate maps stay in cache and the block is
/// one parallel region instead of one per op.
public final class FusedInvertedResidual {
    public let expand: Convolution2D?
    public let depthwise: Convolution2D
    public let project: Convolution2D
    /// The activation of the residual add, or nil when the block has none.
    public let residual: FusedActivation?
    let fusion: InvertedResidualFusion

    /// The fused block, or nil when the engine has no kernel for it: the expansion (any ungrouped convolution whose output
    /// is the depthwise input, usually 1×1) and the projection (1×1, stride-1, unpadded) must run on the tiled GEMM or,
    /// with a calibrated input range, on the INT8 kernel; the depthwise on ``ConvolutionAlgorithm/depthwise3x3``, the maps
    /// and channels must chain and, with a residual, the projection's output must have the input's shape.
    public init?(expand: Convolution2D?, depthwise: Convolution2D, project: Convolution2D, residual: FusedActivation?) {
        var expandKernel: PointwiseStage?
        if let expand {
            guard let stage = PointwiseStage(expand.kernel) else { return nil }
            expandKernel = stage
        }
        guard case .depthwise3x3(let depthwiseKernel) = depthwise.kernel, let projectKernel = PointwiseStage(project.kernel),
            InvertedResidualFusion.canChain(
                expand: expandKernel, depthwise: depthwiseKernel, project: projectKernel, residual: residual != nil)
        else { return nil }
        self.expand = expand
        self.depthwise = depthwise
        self.project = project
        self.residual = residual
        fusion = InvertedResidualFusion(expand: expandKernel, depthwise: depthwiseKernel, project: projectKernel, residual: residual)
    }

    /// Output shape `[OH, OW, Cout]` of the projection.
    public var outputShape: [Int] { project.outputShape }

    /// Floats of scratch ``run(input:output:scratch:pool:)`` needs on a pool of `threads`.
    public func scratchCount(threads: Int) -> Int { fusion.scratchCount(threads: threads) }

    /// Runs the block on `[H, W, Cin]` at `input` into `output`.
    ///
    /// - Important: `output` must not overlap `input`; `scratch` must hold ``scratchCount(threads:)`` floats for the
    ///   pool's thread count.
    public func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, pool: ComputePool) {
        fusion.run(input: input, output: output, scratch: scratch, pool: pool)
    }
}
