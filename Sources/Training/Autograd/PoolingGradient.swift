import TensorEngine

/// Max pooling forward and backward for one NHWC image (PyTorch semantics: padded cells never win, ceil mode as in
/// ``PoolingGeometry``). Backward routes each output's gradient to the first input cell holding the window's maximum,
/// recomputed from the kept input, as PyTorch's `max_pool2d_with_indices_backward` does with its saved indices.
enum PoolingGradient {
    /// The reference pooling loop.
    static func forward(_ g: PoolingGeometry, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                for c in 0..<g.channels {
                    y[(oy * g.outputWidth + ox) * g.channels + c] = x[argmax(g, x, oy, ox, c)]
                }
            }
        }
    }

    /// Adds `dy` onto `dx` at each window's winning cell.
    static func backward(_ g: PoolingGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                for c in 0..<g.channels {
                    dx[argmax(g, x, oy, ox, c)] += dy[(oy * g.outputWidth + ox) * g.channels + c]
                }
            }
        }
    }

    /// Flat input index of the first maximum in window (oy, ox) of channel c. Every valid geometry has at least one
    /// in-bounds cell per window (a window starts inside the input or the leading padding, and padding < kernel).
    @inline(__always)
    private static func argmax(_ g: PoolingGeometry, _ x: UnsafePointer<Float>, _ oy: Int, _ ox: Int, _ c: Int) -> Int {
        var best = -Float.infinity
        var index = -1
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideY - g.padding.top + ky
            if iy < 0 || iy >= g.inputHeight { continue }
            for kx in 0..<g.kernelWidth {
                let ix = ox * g.strideX - g.padding.left + kx
                if ix < 0 || ix >= g.inputWidth { continue }
                let i = (iy * g.inputWidth + ix) * g.channels + c
                if index < 0 || x[i] > best || x[i].isNaN {
                    best = x[i]
                    index = i
                }
            }
        }
        precondition(index >= 0, "PoolingGradient: window (\(oy), \(ox)) has no input cell; PoolingGeometry validation must reject this")
        return index
    }
}
