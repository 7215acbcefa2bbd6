/// Plain max pooling over NHWC `[H, W, C]`; padded cells count as −∞ (PyTorch semantics).
enum ReferencePooling {
    static func maxPool(_ g: PoolingGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                for c in 0..<g.channels {
                    var best = -Float.infinity
                    for ky in 0..<g.kernelHeight {
                        let iy = oy * g.strideY - g.padding.top + ky
                        if iy < 0 || iy >= g.inputHeight { continue }
                        for kx in 0..<g.kernelWidth {
                            let ix = ox * g.strideX - g.padding.left + kx
                            if ix < 0 || ix >= g.inputWidth { continue }
                            best = max(best, input[(iy * g.inputWidth + ix) * g.channels + c])
                        }
                    }
                    output[(oy * g.outputWidth + ox) * g.channels + c] = best
                }
            }
        }
    }
}
