import TensorKernelsAVX512

/// Convolutions with a kernel larger than 1×1 (SSDLite's 3×3/2 stem) on the AVX-512 tile without im2col: in NHWC, the
/// `kw·Cin` values under one kernel row of an output pixel are contiguous in the input, and the next pixel's start
/// `strideX·Cin` floats later, so the tile reads them where they are
/// (``TensorKernelsAVX512/GEMMPanelAVX512/multiplySegmentedPanel(_:lda:rows:segments:depth:segmentStride:_:bias:low:high:_:ldc:cols:)``).
/// Only pixels whose taps all lie inside the input go this way; the others (the padded border) still take im2col rows.
/// The sums are the same, in the same order: the results are those of the im2col path bit for bit.
extension TiledGEMMConvolution {
    /// Whether ``compute(rows:panels:input:output:)`` reads the input in place for interior pixels.
    var readsInPlace: Bool {
        kernel == .avx512 && !isPointwise && bf16 == nil && geometry.dilationY == 1 && geometry.dilationX == 1
    }

    /// Output pixels `rows` × `panelRange`: interior runs of each output row in place, the rest on im2col rows.
    func computeInPlace(rows: Range<Int>, panels panelRange: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let g = geometry
        let ow = g.outputWidth, n = g.outputChannels, nr = panelWidth, cin = g.inputChannels
        let (low, high) = activation.clampBounds
        let columns = g.interiorOutputColumns
        var p = rows.lowerBound
        while p < rows.upperBound {
            let oy = p / ow
            let rowStart = oy * ow, rowEnd = min(rows.upperBound, rowStart + ow)
            // This row's pixels in place: the interior columns within [p, rowEnd).
            let direct =
                g.isInteriorRow(oy) ? max(p, rowStart + columns.lowerBound)..<min(rowEnd, rowStart + columns.upperBound) : p..<p
            if direct.isEmpty {
                computeChunks(rows: p..<rowEnd, panels: panelRange, input: input, output: output)
                p = rowEnd
                continue
            }
            if p < direct.lowerBound { computeChunks(rows: p..<direct.lowerBound, panels: panelRange, input: input, output: output) }
            let iy0 = oy * g.strideY - g.padding.top, ix0 = (direct.lowerBound - rowStart) * g.strideX - g.padding.left
            let a = input + (iy0 * g.inputWidth + ix0) * cin
            for panel in panelRange {
                GEMMPanelAVX512.multiplySegmentedPanel(
                    a, lda: g.strideX * cin, rows: direct.count, segments: g.kernelHeight, depth: g.kernelWidth * cin,
                    segmentStride: g.inputWidth * cin, UnsafePointer(packed.pointer) + panel * depth * nr,
                    bias: UnsafePointer(bias.pointer) + panel * nr, low: low, high: high, output + direct.lowerBound * n + panel * nr,
                    ldc: n, cols: min(nr, n - panel * nr))
            }
            if direct.upperBound < rowEnd {
                computeChunks(rows: direct.upperBound..<rowEnd, panels: panelRange, input: input, output: output)
            }
            p = rowEnd
        }
    }
}
