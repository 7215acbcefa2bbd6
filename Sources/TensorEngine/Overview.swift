//! TensorEngine: float32 NHWC tensors and the CPU kernels that run SSD networks.
//!
//! Layout:
//! - `Core/`: ``Tensor`` (copy-on-write value) over ``TensorStorage`` (64-byte aligned, over-read slack), geometry types,
//!   ``ComputePool`` (the engine's own worker threads).
//! - `BLAS/`: ``BLAS``, the only file that imports CBLAS.
//! - `Kernels/Reference/`: one plain, obviously-correct kernel per op; tests compare every fast kernel against these.
//! - `Kernels/Fast/`, `Kernels/BLAS/`: vectorised and SGEMM-based kernels that override the reference where they pay.
//! - `Ops/`: the public operations. ``ConvolutionAlgorithm/preferred(for:)`` is the one place where a convolution
//!   kernel is chosen by shape.

/// Namespace anchor for module-level documentation.
public enum TensorEngineInfo {
    /// Bytes of alignment of every tensor allocation.
    public static let alignment = 64
    /// Bytes every allocation may be read past its last element by vector kernels.
    public static let overReadSlack = 64
    /// The GEMM inner kernel this process runs (`avx512` or `vector`; see `SSDD_KERNELS`), for logs and benchmarks.
    public static var gemmKernel: String { GEMMKernel.preferred.rawValue }
}
