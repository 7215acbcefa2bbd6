/// Convolutions in a reduced ``Precision``.
extension Convolution2D {
    /// Prepares a convolution to run in `precision` where the engine has a kernel for it and this CPU runs it, else
    /// in fp32 (``init(geometry:weights:bias:activation:algorithm:allowingWinograd:)`` with the preferred kernel).
    ///
    /// INT8 covers every ungrouped convolution: 1×1, stride-1, unpadded ones read their input as the GEMM's rows
    /// (``Int8PointwiseConvolution``; the pointwise layers hold most of SSDLite's multiply-accumulates), the others
    /// multiply im2col rows of their input quantized once (``Int8WindowConvolution``: SSD300's 3×3 layers) where their
    /// window is deep enough to pay (``Int8WindowConvolution/pays(for:)``: not the 3-channel stems); the grouped ones
    /// (the depthwise 3×3) stay fp32. `calibration` is the calibrated quantization of this
    /// convolution's input, or nil for dynamic (per-call) quantization.
    ///
    /// BF16 (on CPUs with AVX-512 BF16, ``BF16Kernel/preferred``) covers the products of the kernels the fp32 choice
    /// would run: Winograd's 36 batched GEMMs (the transforms stay float32) and the tiled GEMM (1×1 convolutions and
    /// im2col chunks of any other ungrouped one); the depthwise 3×3 and the grouped reference stay fp32. Weights are
    /// rounded to bf16 once here, activations per chunk; sums, bias and activation are float32.
    ///
    /// - Important: the same preconditions as the fp32 initializer.
    public convenience init(
        geometry: ConvolutionGeometry, weights: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?,
        activation: FusedActivation, precision: Precision, calibration: ActivationQuantization? = nil, allowingWinograd: Bool = true
    ) {
        let effective = precision.resolved().effective
        if effective == .int8,
            let kernel = Self.int8Kernel(
                geometry: geometry, weights: weights, bias: bias, activation: activation, calibration: calibration)
        {
            self.init(geometry: geometry, activation: activation, algorithm: .tiledGEMM, kernel: kernel, precision: .int8)
            return
        }
        if effective == .bf16, let bf16 = BF16Kernel.preferred {
            self.init(
                geometry: geometry, weights: weights, bias: bias, activation: activation, bf16: bf16, allowingWinograd: allowingWinograd)
            return
        }
        self.init(geometry: geometry, weights: weights, bias: bias, activation: activation, allowingWinograd: allowingWinograd)
    }

    /// The INT8 kernel for `geometry` (``Int8PointwiseConvolution`` or ``Int8WindowConvolution``), or nil where INT8
    /// does not run it.
    private static func int8Kernel(
        geometry: ConvolutionGeometry, weights: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?,
        activation: FusedActivation, calibration: ActivationQuantization?
    ) -> Kernel? {
        let pointwise = Int8PointwiseConvolution.supports(geometry)
        guard pointwise || Int8WindowConvolution.pays(for: geometry) else { return nil }
        precondition(geometry.invalidReason == nil, "Convolution2D: \(geometry.invalidReason ?? "")")
        precondition(weights.count == geometry.weightShape.reduce(1, *), "Convolution2D: weight count \(weights.count)")
        precondition(bias == nil || bias?.count == geometry.outputChannels, "Convolution2D: bias count")
        let w = weights.baseAddress!, b = bias?.baseAddress
        if pointwise {
            return .int8Pointwise(Int8PointwiseConvolution(geometry: geometry, weights: w, bias: b, activation: activation, calibration: calibration))
        }
        return .int8Window(Int8WindowConvolution(geometry: geometry, weights: w, bias: b, activation: activation, calibration: calibration))
    }

    /// A convolution whose products run on the BF16 tile `bf16` where the preferred fp32 kernel is Winograd or a GEMM
    /// (the GEMMs then on the tiled GEMM), else the fp32 kernel (``precision`` says which). Tests pass
    /// ``BF16Kernel/reference`` to compare the instruction's results with the scalar ones.
    convenience init(
        geometry: ConvolutionGeometry, weights: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?,
        activation: FusedActivation, bf16: BF16Kernel, algorithm: ConvolutionAlgorithm? = nil, allowingWinograd: Bool = true
    ) {
        precondition(geometry.invalidReason == nil, "Convolution2D: \(geometry.invalidReason ?? "")")
        precondition(weights.count == geometry.weightShape.reduce(1, *), "Convolution2D: weight count \(weights.count)")
        precondition(bias == nil || bias?.count == geometry.outputChannels, "Convolution2D: bias count")
        let chosen = algorithm ?? ConvolutionAlgorithm.preferred(for: geometry, allowingWinograd: allowingWinograd)
        precondition(chosen.supports(geometry), "Convolution2D: \(chosen) cannot run \(geometry)")
        let w = weights.baseAddress!, b = bias?.baseAddress
        switch chosen {
        case .winograd:
            let kernel = WinogradConvolution(geometry: geometry, weights: w, bias: b, activation: activation, bf16: bf16)
            self.init(geometry: geometry, activation: activation, algorithm: .winograd, kernel: .winograd(kernel), precision: .bf16)
        case .gemm, .tiledGEMM:
            let kernel = TiledGEMMConvolution(geometry: geometry, weights: w, bias: b, activation: activation, bf16: bf16)
            self.init(geometry: geometry, activation: activation, algorithm: .tiledGEMM, kernel: .tiledGEMM(kernel), precision: .bf16)
        case .reference, .depthwise3x3:
            self.init(geometry: geometry, weights: weights, bias: bias, activation: activation, algorithm: chosen)
        }
    }
}
