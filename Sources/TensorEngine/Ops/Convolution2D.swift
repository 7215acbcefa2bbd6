/// A convolution ready to run: geometry checked, kernel chosen, weights repacked once for that kernel.
///
/// Runs on raw NHWC buffers so a compiled network can reuse preallocated activations; ``Tensor/conv2d(weights:bias:options:algorithm:pool:)``
/// wraps it for tensors.
public final class Convolution2D {
    public let geometry: ConvolutionGeometry
    public let activation: FusedActivation
    public let algorithm: ConvolutionAlgorithm
    /// The arithmetic it runs in (``Precision``); fp32 unless made by ``init(geometry:weights:bias:activation:precision:calibration:)``.
    public private(set) var precision: Precision = .fp32
    let kernel: Kernel

    enum Kernel {
        case reference(weights: TensorStorage, bias: TensorStorage?)
        case gemm(GEMMConvolution)
        case tiledGEMM(TiledGEMMConvolution)
        case depthwise3x3(DepthwiseConvolution3x3)
        case winograd(WinogradConvolution)
        case int8Pointwise(Int8PointwiseConvolution)
        case int8Window(Int8WindowConvolution)
    }

    /// A convolution with a kernel already made (the reduced-precision paths, ``Convolution2D+Precision.swift``).
    init(geometry: ConvolutionGeometry, activation: FusedActivation, algorithm: ConvolutionAlgorithm, kernel: Kernel, precision: Precision) {
        self.geometry = geometry
        self.activation = activation
        self.algorithm = algorithm
        self.kernel = kernel
        self.precision = precision
    }

    /// Prepares a convolution from OIHW `weights` (`geometry.weightShape`) and an optional `[outChannels]` bias.
    ///
    /// - Parameters:
    ///   - algorithm: a specific kernel (tests), or nil for ``ConvolutionAlgorithm/preferred(for:allowingWinograd:)``.
    ///   - allowingWinograd: passed to ``ConvolutionAlgorithm/preferred(for:allowingWinograd:)`` when `algorithm` is nil.
    /// - Important: `geometry` must be valid (``ConvolutionGeometry/invalidReason`` nil), the buffers must have the
    ///   stated sizes, and a forced `algorithm` must support the geometry; violations are programming errors and trap.
    public init(
        geometry: ConvolutionGeometry, weights: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?,
        activation: FusedActivation, algorithm: ConvolutionAlgorithm? = nil, allowingWinograd: Bool = true
    ) {
        precondition(geometry.invalidReason == nil, "Convolution2D: \(geometry.invalidReason ?? "")")
        precondition(weights.count == geometry.weightShape.reduce(1, *), "Convolution2D: weight count \(weights.count)")
        precondition(bias == nil || bias?.count == geometry.outputChannels, "Convolution2D: bias count")
        let chosen = algorithm ?? ConvolutionAlgorithm.preferred(for: geometry, allowingWinograd: allowingWinograd)
        precondition(chosen.supports(geometry), "Convolution2D: \(chosen) cannot run \(geometry)")
        self.geometry = geometry
        self.activation = activation
        self.algorithm = chosen
        let w = weights.baseAddress!
        let b = bias?.baseAddress
        switch chosen {
        case .reference:
            kernel = .reference(weights: TensorStorage(copying: weights), bias: bias.map { TensorStorage(copying: $0) })
        case .gemm:
            kernel = .gemm(GEMMConvolution(geometry: geometry, weights: w, bias: b, activation: activation))
        case .tiledGEMM:
            kernel = .tiledGEMM(TiledGEMMConvolution(geometry: geometry, weights: w, bias: b, activation: activation))
        case .depthwise3x3:
            kernel = .depthwise3x3(DepthwiseConvolution3x3(geometry: geometry, weights: w, bias: b, activation: activation))
        case .winograd:
            kernel = .winograd(WinogradConvolution(geometry: geometry, weights: w, bias: b, activation: activation))
        }
    }

    /// Output shape `[OH, OW, Cout]`.
    public var outputShape: [Int] { [geometry.outputHeight, geometry.outputWidth, geometry.outputChannels] }

    /// Floats of scratch memory ``run(input:output:scratch:pool:)`` needs on a pool of `threads` (0 for most kernels).
    public func scratchCount(threads: Int) -> Int {
        switch kernel {
        case .gemm(let g): return g.scratchCount
        case .winograd(let w): return w.scratchCount(threads: threads)
        case .int8Window(let q): return q.scratchCount(threads: threads)
        default: return 0
        }
    }

    /// Convolves `[H, W, Cin]` at `input` into `[OH, OW, Cout]` at `output`.
    ///
    /// - Important: `output` must not overlap `input`; `scratch` must hold ``scratchCount(threads:)`` floats for the
    ///   pool's thread count.
    public func run(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?,
        pool: ComputePool
    ) {
        switch kernel {
        case .reference(let weights, let bias):
            ReferenceConvolution.run(
                geometry, input: input, weights: weights.pointer, bias: bias?.pointer,
                activation: activation, output: output)
        case .gemm(let g):
            g.run(input: input, output: output, scratch: scratch, pool: pool)
        case .tiledGEMM(let t):
            t.run(input: input, output: output, pool: pool)
        case .depthwise3x3(let d):
            d.run(input: input, output: output, pool: pool)
        case .int8Pointwise(let q):
            q.run(input: input, output: output, pool: pool)
        case .int8Window(let q):
            q.run(input: input, output: output, scratch: scratch, pool: pool)
        case .winograd(let w):
            guard let scratch else {
                preconditionFailure("Convolution2D: Winograd needs \(w.scratchCount(threads: pool.threadCount)) floats of scratch")
            }
            w.run(input: input, output: output, scratch: scratch, pool: pool)
        }
    }
}
