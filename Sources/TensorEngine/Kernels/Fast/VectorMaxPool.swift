/// Max pooling over NHWC vectorised across channels; output rows are split across the ``ComputePool``.
enum VectorMaxPool {
    typealias V = VectorPointwise.V

    /// Channels a multiple of 4: whole vectors, then 4-wide ones for the rest (AVX-512 builds, channels not a multiple of 16).
    static func supports(_ g: PoolingGeometry) -> Bool { g.channels % 4 == 0 }

    static func run(_ g: PoolingGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ComputePool) {
        pool.parallelRanges(g.outputHeight, minimumChunk: 2) { rows in
            for oy in rows { row(g, oy, input, output) }
        }
    }

    private static func row(_ g: PoolingGeometry, _ oy: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        let c = g.channels
        let y0 = max(oy * g.strideY - g.padding.top, 0)
        let y1 = min(oy * g.strideY - g.padding.top + g.kernelHeight, g.inputHeight)
        for ox in 0..<g.outputWidth {
            let x0 = max(ox * g.strideX - g.padding.left, 0)
            let x1 = min(ox * g.strideX - g.padding.left + g.kernelWidth, g.inputWidth)
            let dst = output + (oy * g.outputWidth + ox) * c
            var ch = 0
            while ch + VectorPointwise.width <= c {
                var best = V(repeating: -.infinity)
                for iy in y0..<y1 {
                    for ix in x0..<x1 {
                        best = VectorPointwise.maximum(best, VectorPointwise.load(input + (iy * g.inputWidth + ix) * c + ch))
                    }
                }
                VectorPointwise.store(best, dst + ch)
                ch += VectorPointwise.width
            }
            while ch < c {
                var best = SIMD4<Float>(repeating: -.infinity)
                for iy in y0..<y1 {
                    for ix in x0..<x1 {
                        let v = UnsafeRawPointer(input + (iy * g.inputWidth + ix) * c + ch).loadUnaligned(as: SIMD4<Float>.self)
                        best = best.replacing(with: v, where: v .> best)
                    }
                }
                UnsafeMutableRawPointer(dst + ch).storeBytes(of: best, as: SIMD4<Float>.self)
                ch += 4
            }
        }
    }
}
