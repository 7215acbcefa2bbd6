/// Plain direct convolution: NHWC input `[H, W, Cin]`, OIHW weights, NHWC output `[OH, OW, Cout]`.
///
/// Handles every ``ConvolutionGeometry`` (stride, asymmetric padding, dilation, groups). It is the definition the fast
/// kernels are tested against, so it stays simple.
enum ReferenceConvolution {
    static func run(
        _ g: ConvolutionGeometry, input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        activation: FusedActivation, output: UnsafeMutablePointer<Float>
    ) {
        let oh = g.outputHeight, ow = g.outputWidth
        let cinG = g.inputChannelsPerGroup, coutG = g.outputChannels / g.groups
        for oy in 0..<oh {
            for ox in 0..<ow {
                for co in 0..<g.outputChannels {
                    let group = co / coutG
                    var sum: Float = bias?[co] ?? 0
                    for ky in 0..<g.kernelHeight {
                        let iy = oy * g.strideY - g.padding.top + ky * g.dilationY
                        if iy < 0 || iy >= g.inputHeight { continue }
                        for kx in 0..<g.kernelWidth {
                            let ix = ox * g.strideX - g.padding.left + kx * g.dilationX
                            if ix < 0 || ix >= g.inputWidth { continue }
                            let pixel = (iy * g.inputWidth + ix) * g.inputChannels + group * cinG
                            for ci in 0..<cinG {
                                let w = weights[((co * cinG + ci) * g.kernelHeight + ky) * g.kernelWidth + kx]
                                sum += input[pixel + ci] * w
                            }
                        }
                    }
                    output[(oy * ow + ox) * g.outputChannels + co] = activation.apply(sum)
                }
            }
        }
    }
}

extension FusedActivation {
    /// The activation of one value.
    @inline(__always)
    public func apply(_ x: Float) -> Float {
        switch self {
        case .none: return x
        case .relu: return max(x, 0)
        case .relu6: return min(max(x, 0), 6)
        }
    }
}
