/// Convolutions in a reduced ``Precision``.
extension Convolution2D {
    /// Prepares a convolution to run in `precision` where the engine has a kernel for it and this CPU runs it, else
    /// in fp32 (``init(geometry:weights:bias:activation:algorithm:allowingWinograd:)`` with the preferred kernel).
    ///
    /// INT8 covers 1×1, stride-1, unpadded, ungrouped convolutions (``Int8PointwiseConvolution``; the pointwise layers
    /// hold most of SSDLite's multiply-accumulates); the depthwise 3×3 and the other shapes stay fp32. `calibration` is
    /// the calibrated quantization of this convolution's input, or nil for dynamic (per-call) quantization. BF16 has
    /// no engine kernel wired yet (``TensorKernelsX86`` has the tile): it runs fp32.
    ///
    /// - Important: the same preconditions as the fp32 initializer.
    public convenience init(
        geometry: ConvolutionGeometry, weights: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?,
        activation: FusedActivation, precision: Precision, calibration: ActivationQuantization? = nil, allowingWinograd: Bool = true
    ) {
        if precision.resolved().effective == .int8, Int8PointwiseConvolution.supports(geometry) {
            precondition(weights.count == geometry.weightShape.reduce(1, *), "Convolution2D: weight count \(weights.count)")
            precondition(bias == nil || bias?.count == geometry.outputChannels, "Convolution2D: bias count")
            let q = Int8PointwiseConvolution(
                geometry: geometry, weights: weights.baseAddress!, bias: bias?.baseAddress, activation: activation,
                calibration: calibration)
            self.init(geometry: geometry, activation: activation, algorithm: .tiledGEMM, kernel: .int8Pointwise(q), precision: .int8)
            return
        }
        self.init(geometry: geometry, weights: weights, bias: bias, activation: activation, allowingWinograd: allowingWinograd)
    }
}
