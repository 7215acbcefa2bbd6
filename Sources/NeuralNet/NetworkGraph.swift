/// A network described as data: named nodes in topological order over NHWC float32 tensors.
///
/// Importers (TensorFlow graphs, torchvision checkpoints) and the trainer build a `NetworkGraph`; the engine compiles
/// it into a runnable ``Network`` with the parameters from a ``ParameterSource``. Parameter names are the checkpoint's
/// own keys, so loading needs no rename table.
public struct NetworkGraph: Codable, Sendable, Equatable {
    /// Name by which nodes refer to the network input.
    public var inputName: String
    /// Input shape as [height, width, channels] (batch is implicit).
    public var inputShape: [Int]
    /// Nodes in an order where every input is defined before use.
    public var nodes: [NetworkNode]
    /// Names of the nodes whose values `forward` returns, in this order.
    public var outputs: [String]

    public init(inputName: String, inputShape: [Int], nodes: [NetworkNode], outputs: [String]) {
        self.inputName = inputName
        self.inputShape = inputShape
        self.nodes = nodes
        self.outputs = outputs
    }
}

/// One operation applied to the values named by `inputs`.
public struct NetworkNode: Codable, Sendable, Equatable {
    public var name: String
    public var inputs: [String]
    public var operation: NetworkOperation

    public init(name: String, inputs: [String], operation: NetworkOperation) {
        self.name = name
        self.inputs = inputs
        self.operation = operation
    }
}

/// The operations a ``NetworkGraph`` can contain. All tensors are NHWC; "channel" is the last axis.
public enum NetworkOperation: Codable, Sendable, Equatable {
    /// 2-D convolution (grouped and depthwise included) with optional bias and fused activation.
    case convolution(Convolution)
    /// Max pooling.
    case maxPool(Pooling)
    /// Elementwise sum of two equally shaped inputs, then an activation.
    case add(activation: Activation)
    /// Concatenation along the channel axis.
    case concatenate
    /// L2 normalisation across channels at each pixel, times a learned per-channel scale (SSD's conv4_3 L2Norm):
    /// `y = x / max(‖x‖₂, epsilon) · scale[c]`.
    case l2Normalize(scale: String, epsilon: Float)
    /// A standalone activation.
    case activation(Activation)
}

/// Pointwise nonlinearity fused after an operation.
public enum Activation: String, Codable, Sendable, Equatable {
    case none
    case relu
    case relu6
}

/// Explicit zero padding in pixels. TensorFlow "SAME" pads put the extra pixel at bottom/right.
public struct Padding: Codable, Sendable, Equatable {
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
    public static func uniform(_ p: Int) -> Padding { Padding(top: p, left: p, bottom: p, right: p) }

    /// TensorFlow "SAME" padding for one axis: output = ceil(input / stride), extra pixel after.
    ///
    /// Values come from imported files, so the arithmetic saturates instead of trapping: out-of-range inputs (a
    /// non-positive stride or kernel, a negative input, a dilated kernel past `Int.max`) give a padding that graph
    /// validation (``GraphLimits/maximumPadding``) rejects, or none.
    public static func tensorFlowSame(input: Int, kernel: Int, stride: Int, dilation: Int = 1) -> (before: Int, after: Int) {
        guard input >= 0, kernel >= 1, stride >= 1, dilation >= 1 else { return (0, 0) }
        let output = input / stride + (input % stride == 0 ? 0 : 1)
        let effective = (kernel - 1).multipliedSaturating(dilation).addingSaturating(1)
        let total = max(max(output - 1, 0).multipliedSaturating(stride).addingSaturating(effective) - input, 0)
        return (total / 2, total - total / 2)
    }
}

/// Attributes of a convolution node.
public struct Convolution: Codable, Sendable, Equatable {
    /// Parameter name of the weights, stored OIHW: [outChannels, inChannels / groups, kernelHeight, kernelWidth].
    public var weight: String
    /// Parameter name of the bias [outChannels], if any.
    public var bias: String?
    public var outChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideY: Int
    public var strideX: Int
    public var dilationY: Int
    public var dilationX: Int
    /// Channel groups; `groups == inChannels == outChannels` is a depthwise convolution.
    public var groups: Int
    public var padding: Padding
    public var activation: Activation

    public init(
        weight: String, bias: String?, outChannels: Int, kernelHeight: Int, kernelWidth: Int,
        strideY: Int = 1, strideX: Int = 1, dilationY: Int = 1, dilationX: Int = 1, groups: Int = 1,
        padding: Padding, activation: Activation
    ) {
        self.weight = weight
        self.bias = bias
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.dilationY = dilationY
        self.dilationX = dilationX
        self.groups = groups
        self.padding = padding
        self.activation = activation
    }
}

/// Attributes of a max-pooling node. Padded cells never win (they count as -infinity).
public struct Pooling: Codable, Sendable, Equatable {
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideY: Int
    public var strideX: Int
    public var padding: Padding
    /// Round the output size up (PyTorch `ceil_mode=True`; a window must still start inside the input or left padding).
    public var ceilMode: Bool

    public init(kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int, padding: Padding, ceilMode: Bool) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.padding = padding
        self.ceilMode = ceilMode
    }
}
