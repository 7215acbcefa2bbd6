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

    /// Output rows: `(H + top + bottom − ((kh−1)·dy + 1)) / sy + 1`; 0 when the kernel does not fit or the values are out
    /// of range (``invalidReason`` says which).
    public var outputHeight: Int {
        CheckedSize.windowOutput(
            input: inputHeight, before: padding.top, after: padding.bottom, kernel: kernelHeight, dilation: dilationY,
            stride: strideY) ?? 0
    }

    /// Output columns: `(W + left + right − ((kw−1)·dx + 1)) / sx + 1`; 0 when the kernel does not fit or the values are
    /// out of range.
    public var outputWidth: Int {
        CheckedSize.windowOutput(
            input: inputWidth, before: padding.left, after: padding.right, kernel: kernelWidth, dilation: dilationX,
            stride: strideX) ?? 0
    }

    /// Output columns whose taps all lie inside the input (no padding read): `ox·sx − left ≥ 0` and
    /// `ox·sx − left + (kw−1)·dx ≤ W − 1`. Kernels run these without bounds checks.
    var interiorOutputColumns: Range<Int> {
        let first = (padding.left + strideX - 1) / strideX
        let lastX = inputWidth - 1 - (kernelWidth - 1) * dilationX + padding.left  // ox·sx ≤ W − 1 − (kw−1)·dx + left
        let end = lastX < 0 ? 0 : min(outputWidth, lastX / strideX + 1)
        return first < end ? first..<end : 0..<0
    }

    /// Whether every kernel row of output row `oy` lies inside the input (no padding row read).
    func isInteriorRow(_ oy: Int) -> Bool {
        let iy0 = oy * strideY - padding.top
        return iy0 >= 0 && iy0 + (kernelHeight - 1) * dilationY < inputHeight
    }

    /// Input channels seen by each output channel.
    public var inputChannelsPerGroup: Int { groups > 0 ? inputChannels / groups : 0 }

    /// Expected OIHW weight shape.
    public var weightShape: [Int] { [outputChannels, inputChannelsPerGroup, kernelHeight, kernelWidth] }

    /// True for a depthwise convolution (one input channel per group, one output per input channel).
    public var isDepthwise: Bool { groups == inputChannels && groups == outputChannels && groups > 1 }

    /// Multiply-accumulates of one forward pass (0 when the output is empty or out of range, `Int.max` when the product
    /// overflows; ``invalidReason`` rejects both).
    public var multiplyAccumulateCount: Int {
        CheckedSize.product(outputHeight, outputWidth, outputChannels, inputChannelsPerGroup, kernelHeight, kernelWidth)
            ?? .max
    }

    /// Why this geometry cannot run, or nil when it is valid. Every size is checked with overflow-reporting arithmetic,
    /// so hostile values (padding `Int.max`, dilation 2⁶²) give a reason here, never a trap: sizes positive, the kernel
    /// fitting the padded input, and every tensor (input, output, weights, an im2col row) at most
    /// ``CheckedSize/maximumTensorElements`` elements.
    public var invalidReason: String? {
        if [inputHeight, inputWidth, inputChannels, outputChannels, kernelHeight, kernelWidth].contains(where: { $0 <= 0 }) {
            return "sizes must be positive"
        }
        if strideY <= 0 || strideX <= 0 || dilationY <= 0 || dilationX <= 0 { return "stride and dilation must be positive" }
        if [padding.top, padding.left, padding.bottom, padding.right].contains(where: { $0 < 0 }) { return "negative padding" }
        if groups <= 0 || inputChannels % groups != 0 || outputChannels % groups != 0 {
            return "groups \(groups) must divide input channels \(inputChannels) and output channels \(outputChannels)"
        }
        guard
            let height = CheckedSize.windowOutput(
                input: inputHeight, before: padding.top, after: padding.bottom, kernel: kernelHeight, dilation: dilationY,
                stride: strideY),
            let width = CheckedSize.windowOutput(
                input: inputWidth, before: padding.left, after: padding.right, kernel: kernelWidth, dilation: dilationX,
                stride: strideX)
        else {
            return "padding \([padding.top, padding.left, padding.bottom, padding.right]) or dilation \(dilationY)x\(dilationX) "
                + "is out of range (the padded input or dilated kernel overflows)"
        }
        if height <= 0 || width <= 0 {
            return "kernel \(kernelHeight)x\(kernelWidth) does not fit the padded \(inputHeight)x\(inputWidth) input"
        }
        let limit = CheckedSize.maximumTensorElements
        let tensors: [(String, [Int])] = [
            ("input", [inputHeight, inputWidth, inputChannels]), ("output", [height, width, outputChannels]),
            ("weights", weightShape), ("im2col row", [kernelHeight, kernelWidth, inputChannels]),
        ]
        for (name, shape) in tensors {
            guard let count = CheckedSize.product(shape), count <= limit else {
                return "\(name) \(shape) has more than \(limit) elements"
            }
        }
        guard CheckedSize.product(height, width, outputChannels, inputChannelsPerGroup, kernelHeight, kernelWidth) != nil
        else { return "the multiply-accumulate count overflows" }
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

    /// Output rows (PyTorch semantics); 0 when the window does not fit or the values are out of range.
    public var outputHeight: Int {
        Self.outputSize(inputHeight, kernelHeight, strideY, padding.top, padding.bottom, ceilMode) ?? 0
    }

    /// Output columns (PyTorch semantics); 0 when the window does not fit or the values are out of range.
    public var outputWidth: Int {
        Self.outputSize(inputWidth, kernelWidth, strideX, padding.left, padding.right, ceilMode) ?? 0
    }

    /// Why this geometry cannot run, or nil when it is valid (checked arithmetic throughout, as for convolutions).
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
        guard let height = Self.outputSize(inputHeight, kernelHeight, strideY, padding.top, padding.bottom, ceilMode),
            let width = Self.outputSize(inputWidth, kernelWidth, strideX, padding.left, padding.right, ceilMode)
        else { return "the padded input overflows" }
        if height <= 0 || width <= 0 { return "window does not fit the padded input" }
        let limit = CheckedSize.maximumTensorElements
        for (name, shape) in [("input", [inputHeight, inputWidth, channels]), ("output", [height, width, channels])] {
            guard let count = CheckedSize.product(shape), count <= limit else {
                return "\(name) \(shape) has more than \(limit) elements"
            }
        }
        return nil
    }

    /// PyTorch `pooling_output_shape`: the last window must start inside the input or the leading padding. Nil when a
    /// value is out of range or the arithmetic overflows.
    static func outputSize(_ input: Int, _ kernel: Int, _ stride: Int, _ before: Int, _ after: Int, _ ceil: Bool) -> Int? {
        guard input >= 0, kernel >= 1, stride >= 1, before >= 0, after >= 0,
            let padded = CheckedSize.sum(input, before, after), let inputAndBefore = CheckedSize.sum(input, before)
        else { return nil }
        let span = padded - kernel
        if span < 0 { return 0 }
        // span ≤ Int.max − 1 and stride ≥ 1, so span + stride − 1 can overflow only for huge strides: divide first.
        var out = (ceil ? span / stride + (span % stride == 0 ? 0 : 1) : span / stride) + 1
        let (lastStart, overflow) = (out - 1).multipliedReportingOverflow(by: stride)
        if ceil && (overflow || lastStart >= inputAndBefore) { out -= 1 }
        return out
    }
}
