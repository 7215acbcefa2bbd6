extension TiledGEMMConvolution {
    /// ``run(input:output:pool:)`` over `rows` output rows instead of the geometry's `OH·OW`: for a pointwise convolution
    /// (``isPointwise``) on `N` images stored one after another, `rows = N·H·W` runs the whole batch as one GEMM. Every
    /// output row is the same sum in the same order whichever part or thread computes it, so the result is bitwise that
    /// of `N` single-image runs; the weight panels are swept once per chunk of rows instead of once per image, and the
    /// small maps (10×10 … 1×1) get enough rows to split by rows across the pool.
    ///
    /// - Important: for `rows` other than `OH·OW` the convolution must be pointwise (other geometries read `col` through
    ///   im2col of one image).
    func run(rows: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ComputePool) {
        precondition(isPointwise || rows == geometry.outputHeight * geometry.outputWidth, "TiledGEMMConvolution: rows \(rows)")
        // Each part reads all the weights of its panels: where they are large (not resident in L2) and outweigh the
        // rows (more output channels than rows), splitting by rows would stream all of them through every core.
        pool.runRowsOrPanels(
            rows: rows, tileRows: kernel.tileRows, panels: panels, multiplyAccumulates: rows * depth * geometry.outputChannels,
            weightsOutweigh: depth * geometry.outputChannels > Self.largeWeightFloats && geometry.outputChannels > rows
        ) { rows, panels in
            compute(rows: rows, panels: panels, input: input, output: output)
        }
    }
}
