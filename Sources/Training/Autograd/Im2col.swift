import TensorEngine

/// im2col and col2im for one NHWC image of an ungrouped convolution, over a range of output pixels.
///
/// A column row holds the receptive field of one output pixel in `(ky, kx, ci)` order, `K = kh·kw·Cin` floats; padded
/// taps are zeros. The loops are the reference convolution's (``ConvolutionGeometry`` bounds, dilation, asymmetric
/// padding) with the multiply-accumulate replaced by a copy, so forward and backward agree with the engine by design.
enum Im2col {
    /// Writes rows `pixels` of the column matrix: `cols[(m − lower)·K + (ky·kw + kx)·Cin + ci]`.
    static func gather(_ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, pixels: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
        let cin = g.inputChannels, ow = g.outputWidth
        let k = g.kernelHeight * g.kernelWidth * cin
        for m in pixels {
            let oy = m / ow, ox = m % ow
            var row = cols + (m - pixels.lowerBound) * k
            for ky in 0..<g.kernelHeight {
                let iy = oy * g.strideY - g.padding.top + ky * g.dilationY
                for kx in 0..<g.kernelWidth {
                    let ix = ox * g.strideX - g.padding.left + kx * g.dilationX
                    if iy < 0 || iy >= g.inputHeight || ix < 0 || ix >= g.inputWidth {
                        row.update(repeating: 0, count: cin)
                    } else {
                        row.update(from: x + (iy * g.inputWidth + ix) * cin, count: cin)
                    }
                    row += cin
                }
            }
        }
    }

    /// Writes the transposed column matrix for `pixels`: `colsT[((ky·kw + kx)·Cin + ci)·rows + (m − lower)]`.
    static func gatherTransposed(
        _ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, pixels: Range<Int>, into colsT: UnsafeMutablePointer<Float>
    ) {
        let cin = g.inputChannels, ow = g.outputWidth, rows = pixels.count
        for m in pixels {
            let oy = m / ow, ox = m % ow
            let column = m - pixels.lowerBound
            var tap = 0
            for ky in 0..<g.kernelHeight {
                let iy = oy * g.strideY - g.padding.top + ky * g.dilationY
                for kx in 0..<g.kernelWidth {
                    let ix = ox * g.strideX - g.padding.left + kx * g.dilationX
                    let base = colsT + tap * cin * rows + column
                    if iy < 0 || iy >= g.inputHeight || ix < 0 || ix >= g.inputWidth {
                        for ci in 0..<cin { base[ci * rows] = 0 }
                    } else {
                        let source = x + (iy * g.inputWidth + ix) * cin
                        for ci in 0..<cin { base[ci * rows] = source[ci] }
                    }
                    tap += 1
                }
            }
        }
    }

    /// Adds column-matrix gradients for `pixels` back onto the input gradient (the adjoint of ``gather``).
    static func scatterAdd(
        _ g: ConvolutionGeometry, _ dcols: UnsafePointer<Float>, pixels: Range<Int>, into dx: UnsafeMutablePointer<Float>
    ) {
        let cin = g.inputChannels, ow = g.outputWidth
        let k = g.kernelHeight * g.kernelWidth * cin
        for m in pixels {
            let oy = m / ow, ox = m % ow
            var row = dcols + (m - pixels.lowerBound) * k
            for ky in 0..<g.kernelHeight {
                let iy = oy * g.strideY - g.padding.top + ky * g.dilationY
                for kx in 0..<g.kernelWidth {
                    let ix = ox * g.strideX - g.padding.left + kx * g.dilationX
                    if iy >= 0 && iy < g.inputHeight && ix >= 0 && ix < g.inputWidth {
                        let target = dx + (iy * g.inputWidth + ix) * cin
                        for ci in 0..<cin { target[ci] += row[ci] }
                    }
                    row += cin
                }
            }
        }
    }
}
