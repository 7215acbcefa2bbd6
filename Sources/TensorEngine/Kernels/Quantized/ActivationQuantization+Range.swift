import TensorKernelsX86

extension ActivationQuantization {
    /// Dynamic quantization: the quantization covering the smallest and largest of `count` (≥ 1) values at `input`
    /// (NaN ignored on AVX2 CPUs), the pass split across `pool`.
    static func covering(_ input: UnsafePointer<Float>, count: Int, pool: ComputePool) -> ActivationQuantization {
        let parts = count < 1 << 16 ? 1 : pool.threadCount
        var lows = [Float](repeating: 0, count: parts), highs = [Float](repeating: 0, count: parts)
        lows.withUnsafeMutableBufferPointer { lows in
            highs.withUnsafeMutableBufferPointer { highs in
                let l = lows.baseAddress!, h = highs.baseAddress!
                let body = { (part: Int) in
                    let first = count * part / parts, end = count * (part + 1) / parts
                    if end > first { minMax(input + first, count: end - first, l + part, h + part) }
                }
                if parts == 1 { body(0) } else { pool.run(tasks: parts, body) }
            }
        }
        return ActivationQuantization(low: lows.min() ?? 0, high: highs.max() ?? 0)
    }

    private static func minMax(
        _ x: UnsafePointer<Float>, count: Int, _ low: UnsafeMutablePointer<Float>, _ high: UnsafeMutablePointer<Float>
    ) {
        if CPUPrecisionFeatures.current.avx2 {
            ssdd_min_max_avx2(x, count, low, high)
            return
        }
        var lo = x[0], hi = x[0]
        for i in 0..<count { lo = min(lo, x[i]); hi = max(hi, x[i]) }
        low.pointee = lo
        high.pointee = hi
    }
}
