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
        let threads = pool.threadCount
        // Below ~256K multiply-accumulates a hand-over to another thread costs more than it saves.
        if threads == 1 || rows * depth * geometry.outputChannels < 1 << 18 {
            compute(rows: 0..<rows, panels: 0..<panels, input: input, output: output)
            return
        }
        // Up to four parts per thread, claimed dynamically: split by rows (whole tiles, at least two per part) when
        // there are enough, else by column panels (the 10×10 … 1×1 layers).
        let mr = kernel.tileRows
        let tiles = (rows + mr - 1) / mr
        // Each part reads all the weights of its panels: where they are large (not resident in L2) and outweigh the
        // rows (more output channels than rows), splitting by rows would stream all of them through every core.
        let weightsOutweigh = depth * geometry.outputChannels > Self.largeWeightFloats && geometry.outputChannels > rows
        if (tiles >= 4 * threads && !(weightsOutweigh && panels >= 4 * threads)) || panels < 2 {
            let parts = max(1, min(4 * threads, tiles / 2))
            pool.run(tasks: parts) { i in
                let first = tiles * i / parts * mr
                let end = min(rows, tiles * (i + 1) / parts * mr)
                if first < end { compute(rows: first..<end, panels: 0..<panels, input: input, output: output) }
            }
        } else {
            let parts = min(4 * threads, panels)
            pool.run(tasks: parts) { i in
                compute(rows: 0..<rows, panels: (panels * i / parts)..<(panels * (i + 1) / parts), input: input, output: output)
            }
        }
    }
}
