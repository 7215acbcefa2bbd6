/// Explicit zero padding in pixels for a 2-D window operation (TF "SAME" puts the extra pixel at bottom/right).
public struct Padding2D: Sendable, Hashable {
    public var top: Int
    public var left: Int
    public var bottom: Int
    public var right: Int

    public init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top
        self.left = left
        self.bottom = bottom
        self.right = right
    }

    /// The same padding on every side.
    public static func uniform(_ p: Int) -> Padding2D { Padding2D(top: p, left: p, bottom: p, right: p) }

    /// No padding.
    public static let zero = Padding2D.uniform(0)
}

/// Activation fused into the end of an operation.
public enum FusedActivation: Sendable, Hashable {
    case none
    case relu
    case relu6

    /// The activation as a clamp to `[low, high]` (±infinity where it has no bound).
    var clampBounds: (low: Float, high: Float) {
        (self == .none ? -.infinity : 0, self == .relu6 ? 6 : .infinity)
    }
}

/// Everything about a convolution except its values. NHWC activations, OIHW weights `[out, in/groups, kh, kw]`.
public struct ConvolutionGeometry: Sendable, Hashable {
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputChannels: Int
    public var outputChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideY: Int = 1
    public var strideX: Int = 1
    public var dilationY: Int = 1
    public var dilationX: Int = 1
    public var groups: Int = 1
    public var padding: Padding2D = .zero

    public init(
        inputHeight: Int, inputWidth: Int, inputChannels: Int, outputChannels: Int, kernelHeight: Int, kernelWidth: Int,
        strideY: Int = 1, strideX: Int = 1, dilationY: Int = 1, dilationX: Int = 1, groups: Int = 1, padding: Padding2D = .zero
    ) {
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.dilationY = dilationY
        self.dilationX = dilationX
        self.groups = groups
        self.padding = padding
    }

    /// Output rows: `(H + top + bottom − ((kh−1)·dy + 1)) / sy + 1`.
    public var outputHeight: Int {
        (inputHeight + padding.top + padding.bottom - ((kernelHeight - 1) * dilationY + 1)) / strideY + 1
    }

    /// Output columns: `(W + left + right − ((kw−1)·dx + 1)) / sx + 1`.
    public var outputWidth: Int {
        (inputWidth + padding.left + padding.right - ((kernelWidth - 1) * dilationX + 1)) / strideX + 1
    }

    /// Input channels seen by each output channel.
    public var inputChannelsPerGroup: Int { inputChannels / groups }

    /// Expected OIHW weight shape.
    public var weightShape: [Int] { [outputChannels, inputChannelsPerGroup, kernelHeight, kernelWidth] }

    /// True for a depthwise convolution (one input channel per group, one output per input channel).
    public var isDepthwise: Bool { groups == inputChannels && groups == outputChannels && groups > 1 }

    /// Multiply-accumulates of one forward pass.
    public var multiplyAccumulateCount: Int {
        outputHeight * outputWidth * outputChannels * inputChannelsPerGroup * kernelHeight * kernelWidth
    }

    /// Why this geometry cannot run, or nil when it is valid.
    public var invalidReason: String? {
        if [inputHeight, inputWidth, inputChannels, outputChannels, kernelHeight, kernelWidth].contains(where: { $0 <= 0 }) {
            return "sizes must be positive"
        }
        if strideY <= 0 || strideX <= 0 || dilationY <= 0 || dilationX <= 0 { return "stride and dilation must be positive" }
        if [padding.top, padding.left, padding.bottom, padding.right].contains(where: { $0 < 0 }) { return "negative padding" }
        if groups <= 0 || inputChannels % groups != 0 || outputChannels % groups != 0 {
            return "groups \(groups) must divide input channels \(inputChannels) and output channels \(outputChannels)"
        }
        if outputHeight <= 0 || outputWidth <= 0 {
            return "kernel \(kernelHeight)x\(kernelWidth) does not fit the padded \(inputHeight)x\(inputWidth) input"
        }
        return nil
    }
}

/// Everything about a max-pooling window except its values (PyTorch semantics; padded cells never win).
public struct PoolingGeometry: Sendable, Hashable {
    public var inputHeight: Int
    public var inputWidth: Int
    public var channels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideY: Int
    public var strideX: Int
    public var padding: Padding2D = .zero
    /// Round the output size up; a window must still start inside the input or the top/left padding.
    public var ceilMode: Bool = false

    public init(
        inputHeight: Int, inputWidth: Int, channels: Int, kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int,
        padding: Padding2D = .zero, ceilMode: Bool = false
    ) {
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.channels = channels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.padding = padding
        self.ceilMode = ceilMode
    }

    public var outputHeight: Int {
        Self.outputSize(inputHeight, kernelHeight, strideY, padding.top, padding.bottom, ceilMode)
    }

    public var outputWidth: Int {
        Self.outputSize(inputWidth, kernelWidth, strideX, padding.left, padding.right, ceilMode)
    }

    /// Why this geometry cannot run, or nil when it is valid.
    public var invalidReason: String? {
        if [inputHeight, inputWidth, channels, kernelHeight, kernelWidth, strideY, strideX].contains(where: { $0 <= 0 }) {
            return "sizes and strides must be positive"
        }
        if [padding.top, padding.left, padding.bottom, padding.right].contains(where: { $0 < 0 }) { return "negative padding" }
        if padding.top >= kernelHeight || padding.left >= kernelWidth || padding.bottom >= kernelHeight
            || padding.right >= kernelWidth
        {
            return "padding must be smaller than the kernel"
        }
        if outputHeight <= 0 || outputWidth <= 0 { return "window does not fit the padded input" }
        return nil
    }

    /// PyTorch `pooling_output_shape`: the last window must start inside the input or the leading padding.
    static func outputSize(_ input: Int, _ kernel: Int, _ stride: Int, _ before: Int, _ after: Int, _ ceil: Bool) -> Int {
        let span = input + before + after - kernel
        if span < 0 { return 0 }
        var out = (ceil ? (span + stride - 1) / stride : span / stride) + 1
        if ceil && (out - 1) * stride >= input + before { out -= 1 }
        return out
    }
}
