//! TensorEngine: float32 NHWC tensors and the CPU kernels that run SSD networks.
//!
//! Layout:
//! - `Core/`: ``Tensor`` (copy-on-write value) over ``TensorStorage`` (64-byte aligned, over-read slack), geometry types,
//!   ``ComputePool`` (the engine's own worker threads).
//! - `BLAS/`: ``BLAS``, the only file that imports CBLAS.
//! - `Kernels/Reference/`: one plain, obviously-correct kernel per op; tests compare every fast kernel against these.
//! - `Kernels/Fast/`, `Kernels/BLAS/`: vectorised and SGEMM-based kernels that override the reference where they pay:
//!   Winograd F(4×4, 3×3) for 3×3 stride-1 convolutions (``WinogradConvolution``), the register-tiled GEMM for 1×1 and
//!   small convolutions, depthwise 3×3, a fused 1×1 expansion + depthwise pair, OpenBLAS on im2col blocks. The GEMM
//!   inner kernel is chosen once per process by CPU (``GEMMKernel``): the 8-wide one of this module or the AVX-512 one
//!   of the `TensorKernelsAVX512` module, which is compiled for AVX-512 while this module targets AVX2.
//! - `Ops/`: the public operations. ``ConvolutionAlgorithm/preferred(for:allowingWinograd:)`` is the one place where a
//!   convolution kernel is chosen by shape; ``FusedConvolutions`` pairs two of them where a fused kernel exists.

import TensorKernelsX86

/// Namespace anchor for module-level documentation.
public enum TensorEngineInfo {
    /// Bytes of alignment of every tensor allocation.
    public static let alignment = 64
    /// Bytes every allocation may be read past its last element by vector kernels.
    public static let overReadSlack = 64
    /// The GEMM inner kernel this process runs (`avx512` or `vector`; see `SSDD_KERNELS`), for logs and benchmarks.
    public static var gemmKernel: String { GEMMKernel.preferred.rawValue }
    /// One core's measured zmm FMA peak in GFLOP/s (a ≈ 0.1 ms probe on every call), or 0 without AVX-512.
    public static func measuredFMAPeak() -> Double { ssdd_fma_peak_gflops() }
    /// One core's measured `vpdpbusd` peak in GOPS (a multiply and an add per byte product; a ≈ 0.2 ms probe on every
    /// call), or 0 without AVX-512 VNNI: what INT8 passes are compared with.
    public static func measuredVNNIPeak() -> Double { ssdd_vnni_peak_gops() }
}
