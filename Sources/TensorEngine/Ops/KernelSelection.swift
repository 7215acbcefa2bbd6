/// The convolution kernels the engine has. ``preferred(for:)`` is the one place that picks one by shape.
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
    /// Direct loops; runs every geometry.
    case reference
    /// SGEMM on the input itself (1×1, stride 1, no padding, one group) or on im2col blocks (any k×k, one group).
    case gemm
    /// The engine's own register-tiled GEMM with bias and activation fused into the store (any k×k, one group).
    case tiledGEMM
    /// Vectorised depthwise 3×3, stride 1 or 2, channels a multiple of 4.
    case depthwise3x3
    /// Winograd F(4×4, 3×3): 3×3, stride 1, one group, any dilation; a quarter of the multiplications (see
    /// ``WinogradConvolution``).
    case winograd

    /// Whether this kernel can run `geometry`.
    public func supports(_ geometry: ConvolutionGeometry) -> Bool {
        switch self {
        case .reference: return true
        case .gemm: return GEMMConvolution.supports(geometry)
        case .tiledGEMM: return TiledGEMMConvolution.supports(geometry)
        case .depthwise3x3: return DepthwiseConvolution3x3.supports(geometry)
        case .winograd: return WinogradConvolution.supports(geometry)
        }
    }

    /// The fastest kernel for `geometry`: depthwise 3×3 when it fits; Winograd for 3×3 stride-1 convolutions on maps of
    /// at least 8×8 with 16 or more input channels (the VGG16 layers, the dilated fc6, the SSD heads), unless
    /// `allowingWinograd` is false; for other ungrouped convolutions the tiled GEMM below ``tiledGEMMLimit``
    /// multiply-accumulates (every SSDLite layer; there OpenBLAS's packing and thread hand-off cost more than they save)
    /// and ``largeConvolution`` above (fc7, the stride-2 extras); the reference for the rest (other grouped convs).
    ///
    /// Winograd's sums differ from a direct convolution's in float32 rounding (about 1e-6 relative per layer), so callers
    /// that need direct sums (numerical debugging, gradient checks) pass `allowingWinograd: false`.
    public static func preferred(for geometry: ConvolutionGeometry, allowingWinograd: Bool = true) -> ConvolutionAlgorithm {
        if DepthwiseConvolution3x3.supports(geometry) { return .depthwise3x3 }
        if allowingWinograd && WinogradConvolution.isWorthwhile(geometry) { return .winograd }
        if GEMMConvolution.supports(geometry) {
            return geometry.multiplyAccumulateCount < tiledGEMMLimit ? .tiledGEMM : largeConvolution
        }
        return .reference
    }

    /// Largest convolution (in multiply-accumulates) that ``preferred(for:allowingWinograd:)`` gives to the tiled GEMM
    /// on any CPU.
    public static let tiledGEMMLimit = 64 << 20

    /// The kernel for larger ungrouped convolutions on this CPU: the tiled GEMM where it runs on AVX-512 (as fast as
    /// OpenBLAS's AVX-512 SGEMM there, and twice as fast as OpenBLAS forced to its AVX2 kernels by
    /// `OPENBLAS_CORETYPE=Haswell`), else OpenBLAS SGEMM on im2col blocks, whose cache blocking wins on AVX2.
    public static let largeConvolution: ConvolutionAlgorithm = GEMMKernel.preferred == .avx512 ? .tiledGEMM : .gemm
}

/// Max-pooling kernels. ``preferred(for:)`` picks one by shape.
public enum PoolingAlgorithm: String, Sendable, CaseIterable {
    case reference
    /// Vectorised across channels (a multiple of 4), rows split across the pool.
    case vector

    public func supports(_ geometry: PoolingGeometry) -> Bool {
        self == .reference || VectorMaxPool.supports(geometry)
    }

    public static func preferred(for geometry: PoolingGeometry) -> PoolingAlgorithm {
        VectorMaxPool.supports(geometry) ? .vector : .reference
    }
}

/// Kernels for the elementwise ops (activation, add). The vector kernels handle any length, so they are always
/// preferred; the reference exists to test them.
public enum PointwiseAlgorithm: String, Sendable, CaseIterable {
    case reference
    case vector
}
