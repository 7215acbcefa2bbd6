import TensorEngine

/// One graph node ready to run: kernel prepared, inputs and output resolved to value slots.
struct CompiledStep {
    enum Work {
        case convolution(Convolution2D)
        /// Two adjacent convolutions run as one (a 1×1 expansion into a depthwise 3×3).
        case fusedConvolutions(FusedConvolutions)
        /// A whole inverted-residual block (expansion, depthwise, projection, residual add) run as one.
        case fusedInvertedResidual(FusedInvertedResidual)
        case maxPool(PoolingGeometry, PoolingAlgorithm?)
        case add(FusedActivation, PointwiseAlgorithm)
        case concatenate(channels: [Int])
        case l2Normalize(scale: TensorStorage, epsilon: Float)
        case activation(FusedActivation, PointwiseAlgorithm)
    }

    let name: String
    let kind: String
    let work: Work
    /// Value slots read (slot 0 is the network input).
    let inputs: [Int]
    /// Value slot written.
    let output: Int
    /// `[H, W, C]` of the output.
    let outputShape: [Int]

    /// Multiply-accumulates of the step's convolutions (0 for the other kinds), for the profile's GFLOP/s.
    var multiplyAccumulates: Int {
        switch work {
        case .convolution(let conv): conv.geometry.multiplyAccumulateCount
        case .fusedConvolutions(let pair): pair.first.geometry.multiplyAccumulateCount + pair.second.geometry.multiplyAccumulateCount
        case .fusedInvertedResidual(let block):
            [block.expand, block.depthwise, block.project].reduce(0) { $0 + ($1?.geometry.multiplyAccumulateCount ?? 0) }
        default: 0
        }
    }

    /// Runs the step; `values[i]` is the buffer of slot `i`.
    func run(values: [UnsafeMutablePointer<Float>], scratch: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let y = values[output]
        let count = outputShape.reduce(1, *)
        switch work {
        case .convolution(let conv):
            conv.run(input: values[inputs[0]], output: y, scratch: scratch, pool: pool)
        case .fusedConvolutions(let pair):
            pair.run(input: values[inputs[0]], output: y, scratch: scratch, pool: pool)
        case .fusedInvertedResidual(let block):
            block.run(input: values[inputs[0]], output: y, scratch: scratch, pool: pool)
        case .maxPool(let g, let algorithm):
            MaxPool2D.run(g, input: values[inputs[0]], output: y, algorithm: algorithm, pool: pool)
        case .add(let activation, let algorithm):
            Pointwise.add(
                values[inputs[0]], values[inputs[1]], y, count: count, activation: activation, algorithm: algorithm,
                pool: pool)
        case .concatenate(let channels):
            let parts = zip(inputs, channels).map { (pointer: UnsafePointer(values[$0.0]), channels: $0.1) }
            Pointwise.concatenateChannels(parts, y, pixels: outputShape[0] * outputShape[1])
        case .l2Normalize(let scale, let epsilon):
            Pointwise.l2Normalize(
                values[inputs[0]], scale: scale.pointer, epsilon: epsilon, y,
                pixels: outputShape[0] * outputShape[1], channels: outputShape[2], pool: pool)
        case .activation(let activation, let algorithm):
            Pointwise.activate(activation, values[inputs[0]], y, count: count, algorithm: algorithm, pool: pool)
        }
    }
}
