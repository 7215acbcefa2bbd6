/// The geometry of a Caffe `Convolution` or `Pooling` layer, resolved from its repeated and `_h`/`_w` fields.
struct CaffeWindow: Equatable {
    var kernelHeight: Int
    var kernelWidth: Int
    var strideY: Int
    var strideX: Int
    var padY: Int
    var padX: Int
    var dilationY = 1
    var dilationX = 1

    /// Largest kernel, stride, pad or dilation accepted from a file (the engine's limits are checked again later).
    static let maximumValue = 4096

    /// The pair a repeated field gives for 2-D: none → `default`, one value → both, two → (h, w).
    static func pair(_ values: [UInt32], default value: Int, name: String) throws(Problem) -> (Int, Int) {
        switch values.count {
        case 0: return (value, value)
        case 1: return (try checked(values[0], name), try checked(values[0], name))
        case 2: return (try checked(values[0], name), try checked(values[1], name))
        default: throw Problem(reason: "\(name) has \(values.count) values; only 2-D (1 or 2 values) is supported")
        }
    }

    static func checked(_ value: UInt32, _ name: String) throws(Problem) -> Int {
        guard value <= UInt32(maximumValue) else { throw Problem(reason: "\(name) \(value) is larger than \(maximumValue)") }
        return Int(value)
    }

    /// Why a window cannot be used.
    struct Problem: Error {
        let reason: String
    }

    /// The window of a `convolution_param`.
    init(_ p: Caffe_ConvolutionParameter) throws(Problem) {
        if p.hasKernelH || p.hasKernelW {
            guard p.hasKernelH, p.hasKernelW, p.kernelSize.isEmpty else {
                throw Problem(reason: "kernel_h and kernel_w must be given together and without kernel_size")
            }
            (kernelHeight, kernelWidth) = (try Self.checked(p.kernelH, "kernel_h"), try Self.checked(p.kernelW, "kernel_w"))
        } else {
            guard !p.kernelSize.isEmpty else { throw Problem(reason: "kernel_size is missing") }
            (kernelHeight, kernelWidth) = try Self.pair(p.kernelSize, default: 1, name: "kernel_size")
        }
        if p.hasStrideH || p.hasStrideW {
            guard p.hasStrideH, p.hasStrideW, p.stride.isEmpty else {
                throw Problem(reason: "stride_h and stride_w must be given together and without stride")
            }
            (strideY, strideX) = (try Self.checked(p.strideH, "stride_h"), try Self.checked(p.strideW, "stride_w"))
        } else {
            (strideY, strideX) = try Self.pair(p.stride, default: 1, name: "stride")
        }
        if p.hasPadH || p.hasPadW {
            guard p.pad.isEmpty else { throw Problem(reason: "pad_h/pad_w and pad must not be given together") }
            (padY, padX) = (try Self.checked(p.padH, "pad_h"), try Self.checked(p.padW, "pad_w"))
        } else {
            (padY, padX) = try Self.pair(p.pad, default: 0, name: "pad")
        }
        (dilationY, dilationX) = try Self.pair(p.dilation, default: 1, name: "dilation")
        guard kernelHeight >= 1, kernelWidth >= 1, strideY >= 1, strideX >= 1, dilationY >= 1, dilationX >= 1 else {
            throw Problem(reason: "kernel sizes, strides and dilations must be at least 1")
        }
    }

    /// The window of a `pooling_param` over an input of `height` × `width` (global pooling covers it whole).
    init(_ p: Caffe_PoolingParameter, height: Int, width: Int) throws(Problem) {
        if p.globalPooling {
            guard !p.hasKernelSize, !p.hasKernelH, !p.hasKernelW else {
                throw Problem(reason: "global_pooling must not be given with a kernel size")
            }
            (kernelHeight, kernelWidth) = (height, width)
            (strideY, strideX) = (1, 1)
            (padY, padX) = (0, 0)
            guard !p.hasPad, !p.hasPadH, !p.hasPadW else { throw Problem(reason: "global_pooling must not be padded") }
            return
        }
        if p.hasKernelH || p.hasKernelW {
            guard p.hasKernelH, p.hasKernelW, !p.hasKernelSize else {
                throw Problem(reason: "kernel_h and kernel_w must be given together and without kernel_size")
            }
            (kernelHeight, kernelWidth) = (try Self.checked(p.kernelH, "kernel_h"), try Self.checked(p.kernelW, "kernel_w"))
        } else {
            guard p.hasKernelSize else { throw Problem(reason: "kernel_size is missing") }
            kernelHeight = try Self.checked(p.kernelSize, "kernel_size")
            kernelWidth = kernelHeight
        }
        if p.hasStrideH || p.hasStrideW {
            guard p.hasStrideH, p.hasStrideW else { throw Problem(reason: "stride_h and stride_w must be given together") }
            (strideY, strideX) = (try Self.checked(p.strideH, "stride_h"), try Self.checked(p.strideW, "stride_w"))
        } else {
            strideY = try Self.checked(p.stride, "stride")
            strideX = strideY
        }
        if p.hasPadH || p.hasPadW {
            (padY, padX) = (try Self.checked(p.padH, "pad_h"), try Self.checked(p.padW, "pad_w"))
        } else {
            padY = try Self.checked(p.pad, "pad")
            padX = padY
        }
        guard kernelHeight >= 1, kernelWidth >= 1, strideY >= 1, strideX >= 1 else {
            throw Problem(reason: "kernel sizes and strides must be at least 1")
        }
        guard padY < kernelHeight, padX < kernelWidth else {
            throw Problem(reason: "the padding must be smaller than the kernel (Caffe's own check)")
        }
    }
}
