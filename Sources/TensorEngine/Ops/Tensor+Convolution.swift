/// Attributes of a convolution applied with ``Tensor/conv2d(weights:bias:options:algorithm:pool:)``.
public struct Conv2DOptions: Sendable, Hashable {
    public var strideY = 1
    public var strideX = 1
    public var dilationY = 1
    public var dilationX = 1
    public var groups = 1
    public var padding: Padding2D = .zero
    public var activation: FusedActivation = .none

    public init(
        strideY: Int = 1, strideX: Int = 1, dilationY: Int = 1, dilationX: Int = 1, groups: Int = 1,
        padding: Padding2D = .zero, activation: FusedActivation = .none
    ) {
        self.strideY = strideY
        self.strideX = strideX
        self.dilationY = dilationY
        self.dilationX = dilationX
        self.groups = groups
        self.padding = padding
        self.activation = activation
    }
}

extension Tensor {
    /// Convolves this `[H, W, Cin]` tensor with OIHW `weights` `[Cout, Cin/groups, kh, kw]`, giving `[OH, OW, Cout]`.
    ///
    /// Prepares the weights on every call; compiled networks use ``Convolution2D`` directly to do that once.
    /// - Important: shapes must agree (traps otherwise).
    public func conv2d(
        weights: Tensor, bias: Tensor? = nil, options: Conv2DOptions = Conv2DOptions(),
        algorithm: ConvolutionAlgorithm? = nil, pool: ComputePool? = nil
    ) -> Tensor {
        precondition(shape.count == 3 && weights.shape.count == 4, "conv2d: input \(shape), weights \(weights.shape)")
        let geometry = ConvolutionGeometry(
            inputHeight: shape[0], inputWidth: shape[1], inputChannels: shape[2], outputChannels: weights.shape[0],
            kernelHeight: weights.shape[2], kernelWidth: weights.shape[3], strideY: options.strideY, strideX: options.strideX,
            dilationY: options.dilationY, dilationX: options.dilationX, groups: options.groups, padding: options.padding)
        precondition(geometry.weightShape == weights.shape, "conv2d: weights \(weights.shape), expected \(geometry.weightShape)")
        let conv = weights.withUnsafeBufferPointer { w in
            if let bias {
                return bias.withUnsafeBufferPointer { b in
                    Convolution2D(geometry: geometry, weights: w, bias: b, activation: options.activation, algorithm: algorithm)
                }
            }
            return Convolution2D(geometry: geometry, weights: w, bias: nil, activation: options.activation, algorithm: algorithm)
        }
        var output = Tensor(shape: conv.outputShape)
        let workers = pool ?? ComputePool(threadCount: 1)
        let scratch = TensorStorage(count: conv.scratchCount(threads: workers.threadCount))
        withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                conv.run(input: x.baseAddress!, output: y.baseAddress!, scratch: scratch.pointer, pool: workers)
            }
        }
        return output
    }
}
