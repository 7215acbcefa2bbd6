/// Two chained convolutions run as one step, where the engine has a kernel for the pair: a 1×1 expansion (on the
/// tiled GEMM) into a depthwise 3×3, as in every MobileNetV2 inverted residual (``PointwiseDepthwiseFusion``). The
/// results are those of running ``first`` then ``second``; only the intermediate map stays in cache.
public final class FusedConvolutions {
    public let first: Convolution2D
    public let second: Convolution2D
    private let fusion: PointwiseDepthwiseFusion

    /// The fused pair, or nil when the engine has no kernel for it (other kernels, shapes that do not chain) or fusing
    /// would not pay (an intermediate map that fits in L2).
    public init?(_ first: Convolution2D, _ second: Convolution2D) {
        guard case .tiledGEMM(let expand) = first.kernel, case .depthwise3x3(let depthwise) = second.kernel,
            PointwiseDepthwiseFusion.canChain(expand, depthwise), PointwiseDepthwiseFusion.isWorthwhile(expand)
        else { return nil }
        self.first = first
        self.second = second
        fusion = PointwiseDepthwiseFusion(expand: expand, depthwise: depthwise)
    }

    /// Output shape `[OH, OW, C]` of the second convolution.
    public var outputShape: [Int] { second.outputShape }

    /// Floats of scratch ``run(input:output:scratch:pool:)`` needs on a pool of `threads`.
    public func scratchCount(threads: Int) -> Int { fusion.scratchCount(threads: threads) }

    /// Convolves `[H, W, Cin]` at `input` through both layers into `output`.
    ///
    /// - Important: `output` must not overlap `input`; `scratch` must hold ``scratchCount(threads:)`` floats for the
    ///   pool's thread count.
    public func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, pool: ComputePool) {
        fusion.run(input: input, output: output, scratch: scratch, pool: pool)
    }
}
