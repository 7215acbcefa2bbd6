import TensorEngine

/// One kernel benchmark: a name and a factory that prepares the kernel, its buffers and a thread pool once, then
/// returns the operation to time (one call = one iteration).
struct KernelBenchmark {
    /// Stable name, the key in the thresholds file.
    let name: String
    /// Iterations to time (the median of them is reported).
    let iterations: Int
    let prepare: (_ pool: ComputePool) -> () -> Void
}

/// A convolution ready to run on a random input: the kernel `algorithm` (nil: the engine's choice) with its weights
/// packed once, input, output and scratch allocated once. `int8`: in INT8 with a calibrated input range of ±1 (the
/// input's), where the engine has an INT8 kernel for the geometry and this CPU runs one, else fp32.
func convolutionBenchmark(
    _ name: String, iterations: Int, _ geometry: ConvolutionGeometry, activation: FusedActivation = .relu6,
    algorithm: ConvolutionAlgorithm? = nil, int8: Bool = false
) -> KernelBenchmark {
    KernelBenchmark(name: name, iterations: iterations) { pool in
        var generator = SeededValues(seed: 1)
        let weights = generator.storage(count: geometry.weightShape.reduce(1, *), scale: 0.1)
        let bias = generator.storage(count: geometry.outputChannels, scale: 0.1)
        let w = UnsafeBufferPointer(start: weights.pointer, count: weights.count)
        let b = UnsafeBufferPointer(start: bias.pointer, count: bias.count)
        let conv =
            int8
            ? Convolution2D(
                geometry: geometry, weights: w, bias: b, activation: activation, precision: .int8,
                calibration: ActivationQuantization(low: -1, high: 1))
            : Convolution2D(geometry: geometry, weights: w, bias: b, activation: activation, algorithm: algorithm)
        let input = generator.storage(count: geometry.inputHeight * geometry.inputWidth * geometry.inputChannels, scale: 1)
        let output = TensorStorage(count: conv.outputShape.reduce(1, *))
        let scratch = TensorStorage(count: max(1, conv.scratchCount(threads: pool.threadCount)))
        return { conv.run(input: input.pointer, output: output.pointer, scratch: scratch.pointer, pool: pool) }
    }
}

/// A MobileNetV2 inverted-residual block (1×1 expansion ×`expansion`, depthwise 3×3, 1×1 projection, residual add when
/// the shapes allow) on an `size`×`size`×`channels` input: fused (``FusedInvertedResidual``), or `fused: false` as its
/// kernels one after the other with the intermediate maps in memory (what the fusion replaces, for comparison).
/// `int8`: the expansion and projection in INT8 with calibrated input ranges, as `ssdd model calibrate` leaves them (the
/// depthwise outputs then leave their kernel quantized); fp32 on a CPU without an INT8 kernel.
func blockBenchmark(
    _ name: String, iterations: Int, size: Int, channels: Int, expansion: Int, stride: Int, outputChannels: Int, fused: Bool = true,
    int8: Bool = false
) -> KernelBenchmark {
    KernelBenchmark(name: name, iterations: iterations) { pool in
        var generator = SeededValues(seed: 2)
        let middle = channels * expansion
        let expandGeometry = ConvolutionGeometry(
            inputHeight: size, inputWidth: size, inputChannels: channels, outputChannels: middle, kernelHeight: 1, kernelWidth: 1)
        let pad = max(0, ((size + stride - 1) / stride - 1) * stride + 3 - size)
        let depthwiseGeometry = ConvolutionGeometry(
            inputHeight: size, inputWidth: size, inputChannels: middle, outputChannels: middle, kernelHeight: 3, kernelWidth: 3,
            strideY: stride, strideX: stride, groups: middle,
            padding: Padding2D(top: pad / 2, left: pad / 2, bottom: pad - pad / 2, right: pad - pad / 2))
        let projectGeometry = ConvolutionGeometry(
            inputHeight: depthwiseGeometry.outputHeight, inputWidth: depthwiseGeometry.outputWidth, inputChannels: middle,
            outputChannels: outputChannels, kernelHeight: 1, kernelWidth: 1)
        func make(_ g: ConvolutionGeometry, _ activation: FusedActivation, calibration: ActivationQuantization? = nil) -> Convolution2D {
            let w = generator.storage(count: g.weightShape.reduce(1, *), scale: 0.1)
            let b = generator.storage(count: g.outputChannels, scale: 0.1)
            let weights = UnsafeBufferPointer(start: w.pointer, count: w.count), bias = UnsafeBufferPointer(start: b.pointer, count: b.count)
            guard int8, let calibration else { return Convolution2D(geometry: g, weights: weights, bias: bias, activation: activation) }
            return Convolution2D(geometry: g, weights: weights, bias: bias, activation: activation, precision: .int8, calibration: calibration)
        }
        let residual = stride == 1 && channels == outputChannels
        // The block's input is uniform in ±1 (``SeededValues``); the depthwise outputs are ReLU6's.
        let (expand, depthwise, project) = (
            make(expandGeometry, .relu6, calibration: ActivationQuantization(low: -1, high: 1)), make(depthwiseGeometry, .relu6),
            make(projectGeometry, .none, calibration: ActivationQuantization(low: 0, high: 6))
        )
        let input = generator.storage(count: size * size * channels, scale: 1)
        let output = TensorStorage(count: project.outputShape.reduce(1, *))
        if !fused {
            let expanded = TensorStorage(count: size * size * middle)
            let filtered = TensorStorage(count: depthwise.outputShape.reduce(1, *))
            return {
                expand.run(input: input.pointer, output: expanded.pointer, scratch: nil, pool: pool)
                depthwise.run(input: expanded.pointer, output: filtered.pointer, scratch: nil, pool: pool)
                project.run(input: filtered.pointer, output: output.pointer, scratch: nil, pool: pool)
                if residual { Pointwise.add(input.pointer, output.pointer, output.pointer, count: output.count, activation: .none, pool: pool) }
            }
        }
        guard
            let block = FusedInvertedResidual(
                expand: expand, depthwise: depthwise, project: project, residual: residual ? FusedActivation.none : nil)
        else { preconditionFailure("\(name): the engine has no fused kernel for this block") }
        let scratch = TensorStorage(count: block.scratchCount(threads: pool.threadCount))
        return { block.run(input: input.pointer, output: output.pointer, scratch: scratch.pointer, pool: pool) }
    }
}

/// Deterministic values in `[-scale, scale]` (SplitMix64), so every run times the same data.
struct SeededValues {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 24) * 2 - 1
    }

    mutating func storage(count: Int, scale: Float) -> TensorStorage {
        let s = TensorStorage(count: count)
        for i in 0..<count { s.pointer[i] = next() * scale }
        return s
    }
}
