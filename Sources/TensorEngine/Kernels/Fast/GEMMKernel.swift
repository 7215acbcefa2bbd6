import Foundation
import TensorKernelsAVX512

/// The register-tiled inner kernel the engine's own GEMMs (``WinogradConvolution``) run on, chosen once per process
/// from the CPU: 8 rows × 32 columns on zmm registers where the CPU has AVX-512 (``TensorKernelsAVX512``), else
/// ``TiledGEMMConvolution``'s 6 rows × two vectors. `SSDD_KERNELS=avx2` in the environment keeps the latter (comparisons,
/// or a CPU whose AVX-512 clocks down).
enum GEMMKernel: String, Sendable, CaseIterable {
    /// ``TiledGEMMConvolution/tile(_:lda:rows:depth:_:_:_:_:ldc:cols:)``: `SIMD8` on AVX2 builds.
    case vector
    /// ``TensorKernelsAVX512/GEMMPanelAVX512``.
    case avx512

    /// The kernel this process uses.
    static let preferred: GEMMKernel = {
        if ProcessInfo.processInfo.environment["SSDD_KERNELS"] == "avx2" { return .vector }
        return CPUFeatures.hasAVX512 ? .avx512 : .vector
    }()

    /// Kernels this CPU can run (tests run each).
    static var available: [GEMMKernel] { CPUFeatures.hasAVX512 ? [.vector, .avx512] : [.vector] }

    /// Columns per packed weight panel.
    var panelWidth: Int {
        switch self {
        case .vector: return TiledGEMMConvolution.panelWidth
        case .avx512: return GEMMPanelAVX512.panelWidth
        }
    }

    /// Rows per register tile.
    var tileRows: Int {
        switch self {
        case .vector: return TiledGEMMConvolution.tileRows
        case .avx512: return GEMMPanelAVX512.tileRows
        }
    }

    /// `c[rows × cols] = a[rows × depth] · b` for one packed panel `b` (`depth × panelWidth`), `cols ≤ panelWidth`.
    @inline(__always)
    func multiplyPanel(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, depth: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int, prefetching next: UnsafePointer<Float>? = nil
    ) {
        switch self {
        case .avx512 where cols <= 16:
            GEMMPanelAVX512.multiplyNarrowPanel(a, lda: lda, rows: rows, depth: depth, b, c, ldc: ldc, cols: cols)
        case .avx512:
            GEMMPanelAVX512.multiplyPanel(a, lda: lda, rows: rows, depth: depth, b, c, ldc: ldc, cols: cols, prefetching: next)
        case .vector:
            let mr = TiledGEMMConvolution.tileRows
            var r = 0
            while r < rows {
                TiledGEMMConvolution.tile(
                    a + r * lda, lda: lda, rows: min(mr, rows - r), depth: depth, b, nil, .none,
                    c + r * ldc, ldc: ldc, cols: cols)
                r += mr
            }
        }
    }
}

/// What the CPU offers beyond the build's baseline.
enum CPUFeatures {
    /// AVX-512 F, CD, BW, DQ and VL (what ``TensorKernelsAVX512`` is compiled for), as the kernel reports them in
    /// `/proc/cpuinfo` (it lists them only when it also saves the zmm registers on context switches).
    static let hasAVX512: Bool = {
        #if arch(x86_64) && os(Linux)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        let present = Set(flags.split(separator: " ").map(String.init))
        return ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(present.contains)
        #else
        return false
        #endif
    }()
}
