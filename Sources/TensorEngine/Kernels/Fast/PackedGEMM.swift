/// `C[m×n] (+)= A[m×k] · B[k×n]`, row-major, on the engine's register-tiled kernel where it runs AVX-512, else on
/// OpenBLAS: for callers with a one-off product (the trainer's weight gradients), so they are not tied to OpenBLAS's
/// kernel choice. B is packed into the kernel's column panels on every call (`k × n` copies against `m·k·n`
/// multiply-adds).
public enum PackedGEMM {
    /// Computes `C = A·B`, or `C += A·B` when `accumulate`.
    ///
    /// - Important: the pointers must be valid for the stated extents with the stated leading dimensions.
    public static func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        if m == 0 || n == 0 { return }
        guard GEMMKernel.preferred == .avx512, k > 0 else {
            BLAS.sgemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: accumulate ? 1 : 0, c: c, ldc: ldc)
            return
        }
        let kernel = GEMMKernel.avx512, nr = kernel.panelWidth
        let panels = (n + nr - 1) / nr
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: panels * k * nr)
        let product = accumulate ? UnsafeMutablePointer<Float>.allocate(capacity: m * n) : nil
        defer {
            packed.deallocate()
            product?.deallocate()
        }
        for panel in 0..<panels {
            let cols = min(nr, n - panel * nr)
            let base = packed + panel * k * nr
            for row in 0..<k {
                let source = b + row * ldb + panel * nr
                let target = base + row * nr
                target.update(from: source, count: cols)
                if cols < nr { (target + cols).update(repeating: 0, count: nr - cols) }
            }
        }
        let out = product ?? c, ldo = product == nil ? ldc : n
        for panel in 0..<panels {
            kernel.multiplyPanel(
                a, lda: lda, rows: m, depth: k, packed + panel * k * nr, out + panel * nr, ldc: ldo,
                cols: min(nr, n - panel * nr))
        }
        if let product {
            for row in 0..<m {
                let from = product + row * n, to = c + row * ldc
                for j in 0..<n { to[j] += from[j] }
            }
        }
    }
}
