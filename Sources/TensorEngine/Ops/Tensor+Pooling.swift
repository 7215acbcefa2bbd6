extension Tensor {
    /// Max pooling of this `[H, W, C]` tensor (PyTorch semantics: padded cells never win, optional ceil mode).
    /// - Important: the geometry must be valid for this shape (traps otherwise).
    public func maxPool(
        kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int, padding: Padding2D = .zero, ceilMode: Bool = false,
        algorithm: PoolingAlgorithm? = nil, pool: ComputePool? = nil
    ) -> Tensor {
        precondition(shape.count == 3, "maxPool: input \(shape) is not [H, W, C]")
        let g = PoolingGeometry(
            inputHeight: shape[0], inputWidth: shape[1], channels: shape[2], kernelHeight: kernelHeight,
            kernelWidth: kernelWidth, strideY: strideY, strideX: strideX, padding: padding, ceilMode: ceilMode)
        precondition(g.invalidReason == nil, "maxPool: \(g.invalidReason ?? "")")
        var output = Tensor(shape: [g.outputHeight, g.outputWidth, g.channels])
        withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                MaxPool2D.run(
                    g, input: x.baseAddress!, output: y.baseAddress!, algorithm: algorithm,
                    pool: pool ?? ComputePool(threadCount: 1))
            }
        }
        return output
    }
}

/// Max pooling on raw NHWC buffers (used by compiled networks).
public enum MaxPool2D {
    /// Pools `[H, W, C]` at `input` into `[OH, OW, C]` at `output` with the chosen (or preferred) kernel.
    public static func run(
        _ g: PoolingGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        algorithm: PoolingAlgorithm? = nil, pool: ComputePool
    ) {
        let chosen = algorithm ?? PoolingAlgorithm.preferred(for: g)
        precondition(chosen.supports(g), "MaxPool2D: \(chosen) cannot run \(g)")
        switch chosen {
        case .reference: ReferencePooling.maxPool(g, input: input, output: output)
        case .vector: VectorMaxPool.run(g, input: input, output: output, pool: pool)
        }
    }
}
