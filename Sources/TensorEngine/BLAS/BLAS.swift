import CBLAS
import Synchronization

/// The one wrapper around OpenBLAS (CBLAS interface). No other file imports CBLAS.
///
/// - Important: OpenBLAS's thread count is process-global. ``setThreadCount(_:)`` changes it for every caller.
public enum BLAS {
    private static let currentThreads = Atomic<Int>(0)

    /// Sets OpenBLAS's worker-thread count (process-global). Cheap when the count is unchanged.
    public static func setThreadCount(_ count: Int) {
        let n = max(1, count)
        if currentThreads.exchange(n, ordering: .relaxed) != n { openblas_set_num_threads(Int32(n)) }
    }

    /// The kernel family OpenBLAS selected for this CPU (e.g. `Cooperlake`, or `Haswell` under `OPENBLAS_CORETYPE`).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Row-major `C[m×n] = A[m×k]·B[k×n] + beta·C` with leading dimensions `lda`, `ldb`, `ldc`.
    ///
    /// - Important: the pointers must be valid for the given extents; they are used only during the call.
    @inline(__always)
    public static func sgemm(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b,
            blasint(ldb), beta, c, blasint(ldc))
    }
}
