extension Convolution2D {
    /// Whether ``run(images:input:output:scratch:pool:)`` convolves several images in one kernel call: a 1×1, stride-1,
    /// unpadded convolution on the tiled GEMM, where `N` images stored one after another are one `N·H·W`-row matrix.
    public var convolvesImagesTogether: Bool {
        guard case .tiledGEMM(let t) = kernel else { return false }
        return t.isPointwise
    }

    /// Convolves `images` inputs `[H, W, Cin]` stored one after another at `input` into as many outputs
    /// `[OH, OW, Cout]` one after another at `output`: in one GEMM over all their rows where
    /// ``convolvesImagesTogether``, else one ``run(input:output:scratch:pool:)`` per image. Either way each output is
    /// bitwise what a single-image run gives.
    ///
    /// - Important: as for ``run(input:output:scratch:pool:)``; the buffers hold `images` inputs and outputs.
    public func run(
        images: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?,
        pool: ComputePool
    ) {
        let g = geometry
        if images > 1, case .tiledGEMM(let t) = kernel, t.isPointwise {
            t.run(rows: images * g.outputHeight * g.outputWidth, input: input, output: output, pool: pool)
            return
        }
        let inputCount = g.inputHeight * g.inputWidth * g.inputChannels
        let outputCount = g.outputHeight * g.outputWidth * g.outputChannels
        for image in 0..<images {
            run(input: input + image * inputCount, output: output + image * outputCount, scratch: scratch, pool: pool)
        }
    }
}
