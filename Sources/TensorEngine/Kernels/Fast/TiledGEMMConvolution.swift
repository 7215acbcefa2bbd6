import TensorKernelsAVX512

/// Convolution as a register-tiled GEMM of the engine's own, for the small and thin layers where OpenBLAS's per-call
/// packing and thread start-up cost more than the arithmetic (every 1×1 convolution of SSDLite, its 3-channel stem).
///
/// `out[P × Cout] = col[P × K] · W[K × Cout] + bias`, then the activation, all in one pass: a 6-row × 16-column (two
/// vectors on AVX2) tile of the output is accumulated in 12 registers over the whole of `K`, starting from the bias, and
/// stored once, activated. Weights are repacked once into zero-padded panels `[Cout/16][K][16]`, so each step of the
/// inner loop loads two weight vectors and broadcasts six input values. A 1×1, stride-1, unpadded convolution reads the
/// input directly as `col`; any other geometry with one group fills `col` (im2col) for a chunk of rows at a time into a
/// buffer owned by the task. Work is split across the ``ComputePool`` by output rows, or by column panels when there are
/// too few rows (the 10×10 … 1×1 layers); a 6-row × 8-column tile serves a last panel of at most 8 columns. On CPUs
/// with AVX-512 the tile is ``TensorKernelsAVX512/GEMMPanelAVX512``'s 8 × 32, with the same fused bias and clamp.
struct TiledGEMMConvolution {
    typealias V = VectorPointwise.V
    /// Output rows (pixels) per register tile of the vector kernel.
    static let tileRows = 6
    /// Output columns (channels) per register tile and weight panel of the vector kernel: two vectors.
    static let panelWidth = 2 * VectorPointwise.width

    let geometry: ConvolutionGeometry
    let activation: FusedActivation
    /// The register tile: the vector one below, or 8 × 32 on AVX-512 CPUs (``GEMMKernel``).
    let kernel: GEMMKernel
    /// Columns per weight panel (``GEMMKernel/panelWidth``).
    let panelWidth: Int
    /// `K = kh·kw·Cin`.
    let depth: Int
    /// Column panels: `⌈Cout / panelWidth⌉`.
    let panels: Int
    /// `[panels][K][panelWidth]` weights, zero in the padding columns.
    let packed: TensorStorage
    /// `[panels · panelWidth]` bias, zero where the layer has none.
    let bias: TensorStorage
    /// True when the input is used directly as `col`.
    let isPointwise: Bool
    /// Rows of `col` per chunk: the chunk (`chunkRows × K`) stays in L1/L2 while every panel sweeps it.
    let chunkRows: Int
    /// The weights in bf16 when the convolution runs in ``Precision/bf16`` (``packed`` is then empty): each chunk of
    /// rows is rounded to bf16 and multiplied by the BF16 tile into float32 sums, with the same fused bias and clamp.
    let bf16: BF16Panels?

    static func supports(_ g: ConvolutionGeometry) -> Bool { g.groups == 1 }

    init(
        geometry g: ConvolutionGeometry, weights oihw: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: FusedActivation,
        kernel: GEMMKernel = .preferred, bf16 bf16Kernel: BF16Kernel? = nil
    ) {
        precondition(Self.supports(g), "TiledGEMMConvolution: grouped geometry \(g)")
        geometry = g
        self.activation = activation
        self.kernel = kernel
        panelWidth = kernel.panelWidth
        let cin = g.inputChannels, cout = g.outputChannels, kh = g.kernelHeight, kw = g.kernelWidth
        let nr = panelWidth
        let k = kh * kw * cin
        depth = k
        panels = (cout + nr - 1) / nr
        isPointwise = kh == 1 && kw == 1 && g.strideY == 1 && g.strideX == 1 && g.padding == .zero
        self.bias = TensorStorage(count: panels * nr)
        if let bias { self.bias.pointer.update(from: bias, count: cout) }
        if let bf16Kernel {
            let panels16 = Im2col.withRowOrderWeights(g, oihw) { dense in
                BF16Panels(kernel: bf16Kernel, depth: k, columns: cout, columnStride: k, depthStride: 1, dense)
            }
            bf16 = panels16
            packed = TensorStorage(count: 0)
            // As many elements per chunk as the fp32 path (half the bytes), in whole 8-row tiles.
            let byCacheBF16 = (24 * 1024 / panels16.paddedDepth) / 8 * 8
            chunkRows = min(max(8, byCacheBF16), 240)
            return
        }
        bf16 = nil
        packed = TensorStorage(count: panels * k * nr)
        for co in 0..<cout {
            let panel = packed.pointer + (co / nr) * k * nr + co % nr
            for ci in 0..<cin {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        panel[((ky * kw + kx) * cin + ci) * nr] = oihw[((co * cin + ci) * kh + ky) * kw + kx]
                    }
                }
            }
        }
        chunkRows = Self.chunkRows(depth: k, columns: cout, tileRows: kernel.tileRows)
    }

    /// Weights (floats) above which they no longer stay in L2 from one chunk of rows to the next (2 MB: all of L2 on
    /// Intel's server cores, twice Zen 4/5's). SSDLite's largest, 1.6 MB (Conv_1), stays below: on the Intel Xeon of
    /// 2026-12-06 its 1-thread time rose from 0.57 to 0.59–0.61 ms with chunks of all its rows.
    static let largeWeightFloats = 512 * 1024

    /// Whether the weights are beyond L2 (``largeWeightFloats``), so the AVX-512 tile prefetches each next panel.
    var prefetchesWeights: Bool { depth * geometry.outputChannels > Self.largeWeightFloats }

    /// Rows of `col` per chunk for `depth × columns` weights. Every chunk sweeps all the weights, panel by panel, while
    /// its rows stay in cache. Weights that stay in L2 between chunks cost nothing to sweep again, so chunks are small
    /// (96 KB of rows, resident in L1/L2). Larger weights come from L3 or memory once per chunk — SSD300's 3×3/2 layer
    /// on the 10×10 map (4.7 MB of weights, 100 rows) swept them 13 times in chunks of 8 rows — so their chunks take
    /// 512 KB of rows.
    static func chunkRows(depth: Int, columns: Int, tileRows: Int) -> Int {
        let large = depth * columns > largeWeightFloats
        let byCache = ((large ? 128 : 24) * 1024 / max(depth, 1)) / tileRows * tileRows
        return min(max(tileRows, byCache), large ? 512 : 240)
    }

    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ComputePool) {
        run(rows: geometry.outputHeight * geometry.outputWidth, input: input, output: output, pool: pool)
    }

    /// Output rows `rows` × column panels `panelRange`, chunk by chunk.
    func compute(rows: Range<Int>, panels panelRange: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        if let bf16 {
            computeBF16(bf16, rows: rows, panels: panelRange, input: input, output: output)
            return
        }
        if readsInPlace {
            computeInPlace(rows: rows, panels: panelRange, input: input, output: output)
            return
        }
        computeChunks(rows: rows, panels: panelRange, input: input, output: output)
    }

    /// ``compute(rows:panels:input:output:)`` on im2col rows (or the input itself, pointwise), chunk by chunk.
    func computeChunks(rows: Range<Int>, panels panelRange: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let k = depth, n = geometry.outputChannels, nr = panelWidth, mr = Self.tileRows
        let (low, high) = activation.clampBounds
        var col: UnsafeMutablePointer<Float>?
        if !isPointwise { col = UnsafeMutablePointer<Float>.allocate(capacity: chunkRows * k) }
        defer { col?.deallocate() }
        var start = rows.lowerBound
        while start < rows.upperBound {
            let count = min(chunkRows, rows.upperBound - start)
            let a: UnsafePointer<Float>
            if let col {
                Im2col.fill(geometry, input: input, firstPixel: start, pixels: count, into: col)
                a = UnsafePointer(col)
            } else {
                a = input + start * k
            }
            for panel in panelRange {
                let b = UnsafePointer(packed.pointer) + panel * k * nr
                let bias = UnsafePointer(self.bias.pointer) + panel * nr
                let cols = min(nr, n - panel * nr)
                if kernel == .avx512 {
                    // A panel of at most 16 real columns (Cout = 16, the last of 144, the box heads) on the one-vector tile.
                    let c = output + start * n + panel * nr
                    if cols <= 16 {
                        GEMMPanelAVX512.multiplyNarrowPanel(
                            a, lda: k, rows: count, depth: k, b, bias: bias, low: low, high: high, c, ldc: n, cols: cols)
                    } else if cols <= 24 {
                        // 17…24 real columns (the 24-channel projections): a zmm and a ymm vector per row.
                        GEMMPanelAVX512.multiplyThreeQuarterPanel(
                            a, lda: k, rows: count, depth: k, b, bias: bias, low: low, high: high, c, ldc: n, cols: cols)
                    } else {
                        // Weights beyond L2 come from memory: the next panel is fetched while this one runs.
                        let next = prefetchesWeights && panel + 1 < panelRange.upperBound ? b + k * nr : nil
                        GEMMPanelAVX512.multiplyPanel(
                            a, lda: k, rows: count, depth: k, b, bias: bias, low: low, high: high, c, ldc: n, cols: cols, prefetching: next)
                    }
                    continue
                }
                var r = 0
                if cols <= VectorPointwise.width {
                    // A last panel of at most one vector (Cout = 24, 6, …): half the work of a full tile.
                    while r < count {
                        Self.narrowTile(
                            a + r * k, lda: k, rows: min(mr, count - r), depth: k, b, bias, activation,
                            output + (start + r) * n + panel * nr, ldc: n, cols: cols)
                        r += mr
                    }
                    continue
                }
                while r < count {
                    Self.tile(
                        a + r * k, lda: k, rows: min(mr, count - r), depth: k, b, bias, activation,
                        output + (start + r) * n + panel * nr, ldc: n, cols: cols)
                    r += mr
                }
            }
            start += count
        }
    }

    /// `c[rows × cols] = act(bias + a[rows × depth] · b[depth × panelWidth])` for `rows ≤ 6`, `cols ≤ panelWidth`.
    /// Missing rows repeat the last real row (their results are not stored).
    @inline(__always)
    static func tile(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, depth: Int, _ b: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
        _ activation: FusedActivation, _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int
    ) {
        let w = VectorPointwise.width
        let a0 = a
        let a1 = rows > 1 ? a0 + lda : a0
        let a2 = rows > 2 ? a1 + lda : a1
        let a3 = rows > 3 ? a2 + lda : a2
        let a4 = rows > 4 ? a3 + lda : a3
        let a5 = rows > 5 ? a4 + lda : a4
        // Sums start from the bias, or from zero (`bias` nil: Winograd's products get theirs after the transform).
        let bias0 = bias.map { load($0) } ?? V(), bias1 = bias.map { load($0 + w) } ?? V()
        var c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1
        var c30 = bias0, c31 = bias1, c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1
        var bp = b
        for kk in 0..<depth {
            let b0 = load(bp), b1 = load(bp + w)
            var x = V(repeating: a0[kk])
            c00 = VectorPointwise.madd(c00, x, b0)
            c01 = VectorPointwise.madd(c01, x, b1)
            x = V(repeating: a1[kk])
            c10 = VectorPointwise.madd(c10, x, b0)
            c11 = VectorPointwise.madd(c11, x, b1)
            x = V(repeating: a2[kk])
            c20 = VectorPointwise.madd(c20, x, b0)
            c21 = VectorPointwise.madd(c21, x, b1)
            x = V(repeating: a3[kk])
            c30 = VectorPointwise.madd(c30, x, b0)
            c31 = VectorPointwise.madd(c31, x, b1)
            x = V(repeating: a4[kk])
            c40 = VectorPointwise.madd(c40, x, b0)
            c41 = VectorPointwise.madd(c41, x, b1)
            x = V(repeating: a5[kk])
            c50 = VectorPointwise.madd(c50, x, b0)
            c51 = VectorPointwise.madd(c51, x, b1)
            bp += 2 * w
        }
        // The activation as a clamp to [low, high] (±infinity where it has no bound): no branch per row.
        let (low, high) = VectorPointwise.bounds(activation)
        storeRow(c00, c01, c, cols: cols, low, high)
        if rows > 1 { storeRow(c10, c11, c + ldc, cols: cols, low, high) }
        if rows > 2 { storeRow(c20, c21, c + 2 * ldc, cols: cols, low, high) }
        if rows > 3 { storeRow(c30, c31, c + 3 * ldc, cols: cols, low, high) }
        if rows > 4 { storeRow(c40, c41, c + 4 * ldc, cols: cols, low, high) }
        if rows > 5 { storeRow(c50, c51, c + 5 * ldc, cols: cols, low, high) }
    }

    /// ``tile(_:lda:rows:depth:_:_:_:_:ldc:cols:)`` for a panel whose real columns fit in its first vector (`cols ≤ width`).
    @inline(__always)
    static func narrowTile(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, depth: Int, _ b: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
        _ activation: FusedActivation, _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int
    ) {
        let a0 = a
        let a1 = rows > 1 ? a0 + lda : a0
        let a2 = rows > 2 ? a1 + lda : a1
        let a3 = rows > 3 ? a2 + lda : a2
        let a4 = rows > 4 ? a3 + lda : a3
        let a5 = rows > 5 ? a4 + lda : a4
        let bias0 = load(bias)
        var c0 = bias0, c1 = bias0, c2 = bias0, c3 = bias0, c4 = bias0, c5 = bias0
        var bp = b
        for kk in 0..<depth {
            let b0 = load(bp)
            c0 = VectorPointwise.madd(c0, V(repeating: a0[kk]), b0)
            c1 = VectorPointwise.madd(c1, V(repeating: a1[kk]), b0)
            c2 = VectorPointwise.madd(c2, V(repeating: a2[kk]), b0)
            c3 = VectorPointwise.madd(c3, V(repeating: a3[kk]), b0)
            c4 = VectorPointwise.madd(c4, V(repeating: a4[kk]), b0)
            c5 = VectorPointwise.madd(c5, V(repeating: a5[kk]), b0)
            bp += panelWidth
        }
        let (low, high) = VectorPointwise.bounds(activation)
        let zero = V(repeating: 0)
        storeRow(c0, zero, c, cols: cols, low, high)
        if rows > 1 { storeRow(c1, zero, c + ldc, cols: cols, low, high) }
        if rows > 2 { storeRow(c2, zero, c + 2 * ldc, cols: cols, low, high) }
        if rows > 3 { storeRow(c3, zero, c + 3 * ldc, cols: cols, low, high) }
        if rows > 4 { storeRow(c4, zero, c + 4 * ldc, cols: cols, low, high) }
        if rows > 5 { storeRow(c5, zero, c + 5 * ldc, cols: cols, low, high) }
    }

    // `@_transparent`, not `@inline(__always)`: LLVM kept the latter out of line (perf on an AVX2-only Zen: 4.5 % of
    // SSDLite in a call that rebuilt each vector from two xmm halves and ended in vzeroupper).
    @_transparent
    private static func storeRow(_ v0: V, _ v1: V, _ p: UnsafeMutablePointer<Float>, cols: Int, _ low: V, _ high: V) {
        let w = VectorPointwise.width
        let y0 = VectorPointwise.clamp(v0, low, high), y1 = VectorPointwise.clamp(v1, low, high)
        if cols == 2 * w {
            VectorPointwise.store(y0, p)
            VectorPointwise.store(y1, p + w)
            return
        }
        // A partial last panel: only the layer's own columns (the next row starts right after them).
        if cols == w {
            VectorPointwise.store(y0, p)
            return
        }
        for lane in 0..<min(cols, w) { p[lane] = y0[lane] }
        if cols > w { for lane in 0..<(cols - w) { p[w + lane] = y1[lane] } }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> V { VectorPointwise.load(p) }
}
