extension TiledGEMMConvolution {
    /// ``compute(rows:panels:input:output:)`` in ``Precision/bf16``: each chunk of `col` rows (the input itself for a
    /// pointwise convolution, else im2col in float32) is rounded to bf16 into a task-owned buffer, then the BF16 tile
    /// multiplies it by the panels' columns into float32 sums and stores them with the bias and the activation's clamp.
    func computeBF16(
        _ bf16: BF16Panels, rows: Range<Int>, panels panelRange: Range<Int>, input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>
    ) {
        let k = depth, n = geometry.outputChannels
        let firstColumn = panelRange.lowerBound * panelWidth
        let cols = min(n, panelRange.upperBound * panelWidth) - firstColumn
        if rows.isEmpty || cols <= 0 { return }
        let (low, high) = activation.clampBounds
        var col: UnsafeMutablePointer<Float>?
        if !isPointwise { col = UnsafeMutablePointer<Float>.allocate(capacity: chunkRows * k) }
        defer { col?.deallocate() }
        let a = UnsafeMutablePointer<UInt16>.allocate(capacity: chunkRows * bf16.paddedDepth)
        defer { a.deallocate() }
        var start = rows.lowerBound
        while start < rows.upperBound {
            let count = min(chunkRows, rows.upperBound - start)
            if let col {
                Im2col.fill(geometry, input: input, firstPixel: start, pixels: count, into: col)
                bf16.convert(col, ldx: k, rows: count, into: a)
            } else {
                bf16.convert(input + start * k, ldx: k, rows: count, into: a)
            }
            bf16.multiply(
                a, lda: bf16.paddedDepth, rows: count, firstColumn: firstColumn, cols: cols, bias: bias.pointer + firstColumn,
                low: low, high: high, output + start * n + firstColumn, ldc: n)
            start += count
        }
    }
}
