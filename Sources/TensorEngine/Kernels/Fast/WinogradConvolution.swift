import TensorKernelsAVX512

/// 3×3, stride-1 convolution (any dilation) by Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray, "Fast Algorithms for
/// Convolutional Neural Networks", CVPR 2016): each 4×4 block of output pixels is computed from a 6×6 input tile with
/// 36 multiplications per (input, output) channel pair instead of 144, a 4× cut in arithmetic for the VGG16 layers.
///
/// `Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A` per tile, summed over input channels. Summing over channels first turns the
/// middle step into 36 independent GEMMs, one per position ξ of the 6×6 transformed tile:
/// `M[ξ] (tiles × Cout) = V[ξ] (tiles × Cin) · U[ξ] (Cin × Cout)`.
/// - `U = G g Gᵀ` is computed once, in double precision, and packed into the column panels of
///   ``GEMMKernel``'s panels, whose register-tiled kernel (AVX-512 where the CPU has it) runs the GEMMs.
/// - `V = Bᵀ d B` and the output transform `Aᵀ M A` are vectorised across channels (NHWC keeps them contiguous); the
///   output transform adds the bias, applies the activation and writes only the pixels inside the output.
///
/// V and M are stored tile-major (`[tile][ξ][channel]`), so each tile's transforms read and write one contiguous run and
/// the GEMMs read V[ξ] with a row stride of 36 · Cin. Large maps are split into blocks of tiles, one task per block: it
/// transforms its tiles' input into its worker's scratch, runs the 36 GEMMs and transforms its outputs back, so a
/// block's intermediate data stays in that core's caches. Small maps (38×38 and below, too few blocks for the threads)
/// are shared instead: the threads split the input transform by tiles, the GEMMs by (panel, position) and the output
/// transform by tiles, so both threads share the weights instead of each streaming all of them.
///
/// A dilated convolution (fc6: dilation 6) is the same computation on each phase's sub-map: tiles step by 4·d output
/// pixels and read inputs d apart (``tileStarts(outputs:dilation:)``).
///
/// Accuracy: the transforms use the points 0, ±1, ±2, ∞; in float32 the result differs from a direct convolution by a
/// few units in the 6th significant digit (the parity tests bound it), which is why ``ConvolutionAlgorithm/preferred(for:)``
/// chooses this kernel only when its caller allows fast algorithms.
struct WinogradConvolution {
    typealias V = VectorPointwise.V
    /// Output pixels per tile side (m in F(m×m, 3×3)).
    static let outputTile = 4
    /// Positions of a transformed tile: 6 × 6.
    static let positions = 36

    let geometry: ConvolutionGeometry
    let activation: FusedActivation
    /// The GEMM inner kernel; its panel width sets the packing of ``transformed``.
    let kernel: GEMMKernel
    /// Columns per panel (``GEMMKernel/panelWidth``).
    let panelWidth: Int
    /// Column panels of the output channels: `⌈Cout / panelWidth⌉`.
    let panels: Int
    /// `[36][panels][Cin][panelWidth]` transformed weights, zero in the padding columns.
    let transformed: TensorStorage
    /// `[Cout]` bias, zero where the layer has none.
    let bias: TensorStorage
    /// First output row and column of every tile row and tile column (``tileStarts(outputs:dilation:)``).
    let rowStarts: [Int]
    let columnStarts: [Int]
    /// In ``Precision/bf16``: `U[ξ]` rounded to bf16 for each of the 36 positions (``transformed`` is then empty). V is
    /// rounded to bf16 tile by tile after its float32 transform, the products run on the BF16 tile into float32 M, and
    /// the output transform is the float32 one.
    let bf16: [BF16Panels]?
    /// `[Cout]` zeros: the BF16 tile's bias for the products (the layer's bias is added after the output transform).
    let zeros: TensorStorage

    /// Whether the tile transforms run 16 channels per vector (``TensorKernelsAVX512/WinogradTransformsAVX512``, the
    /// same bits) on whole vectors: with the AVX-512 GEMM kernel, in builds whose own vectors are narrower.
    var usesAVX512Transforms: Bool { kernel == .avx512 && VectorPointwise.width < WinogradTransformsAVX512.width }

    static func supports(_ g: ConvolutionGeometry) -> Bool {
        g.groups == 1 && g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1
    }

    /// Where the cut in multiplications outweighs the transforms and the tile padding: maps of at least 8×8 output
    /// pixels, at least 16 input channels (the 3-channel stem stays on im2col), and tiles that waste little (a dilated
    /// map splits into one sub-map per phase; 36 multiplications per tile must be at most ⅔ of the direct 9 per pixel).
    static func isWorthwhile(_ g: ConvolutionGeometry) -> Bool {
        guard supports(g), g.outputHeight >= 8, g.outputWidth >= 8, g.inputChannels >= 16, g.outputChannels >= 8 else {
            return false
        }
        let tiles =
            tileStarts(outputs: g.outputHeight, dilation: g.dilationY).count
            * tileStarts(outputs: g.outputWidth, dilation: g.dilationX).count
        return tiles * 6 <= g.outputHeight * g.outputWidth
    }

    /// First output coordinate of every tile along one axis. Undilated: 0, 4, 8, …. Dilated by d, the outputs of each
    /// phase p (p, p + d, p + 2d, …) form their own undilated sub-map, tiled in steps of 4d.
    static func tileStarts(outputs: Int, dilation d: Int) -> [Int] {
        var starts: [Int] = []
        for phase in 0..<min(d, outputs) {
            var start = phase
            while start < outputs {
                starts.append(start)
                start += outputTile * d
            }
        }
        return starts
    }

    init(
        geometry g: ConvolutionGeometry, weights oihw: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: FusedActivation,
        kernel: GEMMKernel = .preferred, bf16 bf16Kernel: BF16Kernel? = nil
    ) {
        precondition(Self.supports(g), "WinogradConvolution: unsupported geometry \(g)")
        geometry = g
        self.activation = activation
        self.kernel = kernel
        panelWidth = kernel.panelWidth
        let cin = g.inputChannels, cout = g.outputChannels, nr = panelWidth
        panels = (cout + nr - 1) / nr
        let fp32U = TensorStorage(count: Self.positions * panels * cin * nr)
        let u = fp32U.pointer
        // Panel by panel and input channel by input channel: the panel's filters are transformed into `tiles` (one
        // 6×6 tile per output channel), then each position's `nr` values are written as one contiguous run.
        let positionStride = panels * cin * nr
        let panelCount = panels
        withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.positions * nr) { buffer in
            let tiles = buffer.baseAddress!
            for panel in 0..<panelCount {
                let lanes = min(nr, cout - panel * nr)
                for ci in 0..<cin {
                    for lane in 0..<lanes {
                        Self.transformFilter(oihw + ((panel * nr + lane) * cin + ci) * 9, into: tiles + lane * Self.positions)
                    }
                    let run = u + (panel * cin + ci) * nr
                    for xi in 0..<Self.positions {
                        let out = run + xi * positionStride
                        for lane in 0..<lanes { out[lane] = Float(tiles[lane * Self.positions + xi]) }
                    }
                }
            }
        }
        if let bf16Kernel {
            var perPosition: [BF16Panels] = []
            withUnsafeTemporaryAllocation(of: Float.self, capacity: cout * cin) { dense in
                for xi in 0..<Self.positions {
                    for co in 0..<cout {
                        let run = u + xi * positionStride + (co / nr) * cin * nr + co % nr
                        for ci in 0..<cin { dense[co * cin + ci] = run[ci * nr] }
                    }
                    perPosition.append(
                        BF16Panels(kernel: bf16Kernel, depth: cin, columns: cout, columnStride: cin, depthStride: 1, dense.baseAddress!))
                }
            }
            bf16 = perPosition
            transformed = TensorStorage(count: 0)
        } else {
            bf16 = nil
            transformed = fp32U
        }
        zeros = TensorStorage(count: cout)
        self.bias = TensorStorage(count: cout)
        if let bias { self.bias.pointer.update(from: bias, count: cout) }
        rowStarts = Self.tileStarts(outputs: g.outputHeight, dilation: g.dilationY)
        columnStarts = Self.tileStarts(outputs: g.outputWidth, dilation: g.dilationX)
    }

    /// `G g Gᵀ` for one 3×3 filter, row-major 6×6 into `out`, in double precision.
    static func transformFilter(_ g: UnsafePointer<Float>, into out: UnsafeMutablePointer<Double>) {
        // G g (6 × 3), column by column; then G applied to each of its rows.
        let c0 = applyG(Double(g[0]), Double(g[3]), Double(g[6]))
        let c1 = applyG(Double(g[1]), Double(g[4]), Double(g[7]))
        let c2 = applyG(Double(g[2]), Double(g[5]), Double(g[8]))
        store(applyG(c0.0, c1.0, c2.0), out)
        store(applyG(c0.1, c1.1, c2.1), out + 6)
        store(applyG(c0.2, c1.2, c2.2), out + 12)
        store(applyG(c0.3, c1.3, c2.3), out + 18)
        store(applyG(c0.4, c1.4, c2.4), out + 24)
        store(applyG(c0.5, c1.5, c2.5), out + 30)
    }

    @inline(__always)
    private static func store(_ row: (Double, Double, Double, Double, Double, Double), _ out: UnsafeMutablePointer<Double>) {
        (out[0], out[1], out[2], out[3], out[4], out[5]) = row
    }

    /// `G x` for a 3-vector: G's rows are (¼, 0, 0), −⅙(1, 1, 1), −⅙(1, −1, 1), (1/24, 1/12, ⅙), (1/24, −1/12, ⅙), (0, 0, 1).
    @inline(__always)
    static func applyG(_ x0: Double, _ x1: Double, _ x2: Double) -> (Double, Double, Double, Double, Double, Double) {
        (x0 / 4, -(x0 + x1 + x2) / 6, -(x0 - x1 + x2) / 6, x0 / 24 + x1 / 12 + x2 / 6, x0 / 24 - x1 / 12 + x2 / 6, x2)
    }

    // MARK: - Work split

    /// How one run splits into tasks; depends only on the geometry and the thread count.
    struct Plan {
        var tilesX: Int
        var tiles: Int
        /// Tiles per block (the last block may be shorter).
        var blockTiles: Int
        var blocks: Int
        /// True when the threads share each block (input transform split by tiles, GEMMs by positions and panels, output
        /// transform by tiles); false when each task does a whole block alone in its worker's scratch.
        var sharesBlocks: Bool
        /// Floats of V scratch per block: `blockTiles × 36 × Cin`.
        var inputFloats: Int
        /// Floats of M scratch per block: `blockTiles × 36 × panels · panelWidth`.
        var outputFloats: Int
        var blockFloats: Int { inputFloats + outputFloats }
    }

    /// The fewest tiles of a block: enough for each panel of U to pay for streaming it, also for a block a thread
    /// works on alone (see ``plan(threads:)``).
    static let minimumBlockTiles = 96

    func plan(threads: Int) -> Plan {
        let g = geometry
        let tilesX = columnStarts.count
        let tiles = tilesX * rowStarts.count
        // Each panel of U[ξ] is reused by every tile of a block, so blocks must be tall enough to stream U (4× the
        // layer's weights) from memory: at least 96 tiles, more while a block's V[ξ] (tiles × Cin) stays in L2.
        let target = max(Self.minimumBlockTiles, min(240, 64 * 1024 / g.inputChannels))
        var blocks = (tiles + target - 1) / target
        // On several threads, as many blocks for each thread where every block keeps at least 96 tiles: a thread with
        // one block more than the others sets the layer's time (150×150 maps: 7 blocks on 2 threads ran as 4 + 3).
        if threads > 1, tiles >= threads * Self.minimumBlockTiles {
            blocks = min((blocks + threads - 1) / threads * threads, tiles / Self.minimumBlockTiles / threads * threads)
        }
        let blockTiles = (tiles + blocks - 1) / blocks
        blocks = (tiles + blockTiles - 1) / blockTiles
        // Too few blocks to give every thread its own (maps up to 38×38): the threads share each block instead.
        let sharesBlocks = threads > 1 && (blocks < threads || (blocks % threads != 0 && blocks < 2 * threads))
        return Plan(
            tilesX: tilesX, tiles: tiles, blockTiles: blockTiles, blocks: blocks, sharesBlocks: sharesBlocks,
            inputFloats: inputFloats(tiles: blockTiles),
            outputFloats: blockTiles * Self.positions * panels * panelWidth)
    }

    /// Floats of V scratch for `tiles` tiles: `[tiles][36][Cin]` floats, or in bf16 `[tiles][36][Cin rounded up to
    /// even]` bf16 values, rounded up to whole 64-byte lines.
    func inputFloats(tiles: Int) -> Int {
        guard let bf16 else { return tiles * Self.positions * geometry.inputChannels }
        return (tiles * Self.positions * bf16[0].paddedDepth + 31) / 32 * 16
    }

    /// Floats of scratch ``run(input:output:scratch:pool:)`` needs on a pool of `threads`.
    func scratchCount(threads: Int) -> Int {
        let p = plan(threads: max(1, threads))
        return (p.sharesBlocks ? 1 : max(1, threads)) * p.blockFloats
    }

    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let p = plan(threads: pool.threadCount)
        if !p.sharesBlocks {
            pool.runOnWorkers(tasks: p.blocks) { block, worker in
                let first = block * p.blockTiles
                let tiles = first..<min(p.tiles, first + p.blockTiles)
                let v = scratch + worker * p.blockFloats
                let m = v + p.inputFloats
                inputStage(tiles: tiles, firstRow: 0, plan: p, input: input, into: v)
                productStage(rows: tiles.count, positions: 0..<Self.positions, panels: 0..<panels, v: v, m: m)
                transformOutput(tiles: tiles, firstRow: 0, plan: p, m: m, output: output)
            }
            return
        }
        let v = scratch, m = scratch + p.inputFloats
        let units = Self.positions * panels
        for block in 0..<p.blocks {
            let first = block * p.blockTiles
            let count = min(p.tiles - first, p.blockTiles)
            pool.parallelRanges(count, minimumChunk: 4) { range in
                inputStage(
                    tiles: (first + range.lowerBound)..<(first + range.upperBound), firstRow: range.lowerBound,
                    plan: p, input: input, into: v)
            }
            // (panel, position) units, panel-major: a thread's share keeps to few panels of U.
            pool.parallelRanges(units, minimumChunk: 4, oversubscription: 4) { range in
                var unit = range.lowerBound
                while unit < range.upperBound {
                    let panel = unit / Self.positions, xi = unit % Self.positions
                    let end = min(range.upperBound, (panel + 1) * Self.positions)
                    productStage(rows: count, positions: xi..<(xi + end - unit), panels: panel..<(panel + 1), v: v, m: m)
                    unit = end
                }
            }
            pool.parallelRanges(count, minimumChunk: 4) { range in
                transformOutput(
                    tiles: (first + range.lowerBound)..<(first + range.upperBound), firstRow: range.lowerBound,
                    plan: p, m: m, output: output)
            }
        }
    }

    // MARK: - Stages

    /// ``transformInput(tiles:firstRow:plan:input:into:)``, or in bf16 the same per tile into a float32 buffer rounded
    /// into row `firstRow + i` of the bf16 V at `v` (`[row][36][Cin rounded up to even]`).
    private func inputStage(
        tiles: Range<Int>, firstRow: Int, plan p: Plan, input: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>
    ) {
        guard let bf16 else {
            transformInput(tiles: tiles, firstRow: firstRow, plan: p, input: input, into: v)
            return
        }
        let cin = geometry.inputChannels, row = Self.positions * bf16[0].paddedDepth
        let v16 = UnsafeMutableRawPointer(v).assumingMemoryBound(to: UInt16.self)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Self.positions * cin) { buffer in
            let t = buffer.baseAddress!
            for (i, tile) in tiles.enumerated() {
                transformInput(tiles: tile..<(tile + 1), firstRow: 0, plan: p, input: input, into: t)
                bf16[0].convert(t, ldx: cin, rows: Self.positions, into: v16 + (firstRow + i) * row)
            }
        }
    }

    /// ``multiply(rows:positions:panels:v:m:)``, or in bf16 the BF16 tile over the same columns of M.
    private func productStage(
        rows: Int, positions: Range<Int>, panels panelRange: Range<Int>, v: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>
    ) {
        guard let bf16 else {
            multiply(rows: rows, positions: positions, panels: panelRange, v: v, m: m)
            return
        }
        let depth = bf16[0].paddedDepth, cout = geometry.outputChannels, ldm = panels * panelWidth
        let firstColumn = panelRange.lowerBound * panelWidth
        let cols = min(cout, panelRange.upperBound * panelWidth) - firstColumn
        if rows == 0 || cols <= 0 { return }
        let v16 = UnsafeRawPointer(v).assumingMemoryBound(to: UInt16.self)
        for xi in positions {
            bf16[xi].multiply(
                v16 + xi * depth, lda: Self.positions * depth, rows: rows, firstColumn: firstColumn, cols: cols,
                bias: zeros.pointer + firstColumn, low: -.infinity, high: .infinity, m + xi * ldm + firstColumn,
                ldc: Self.positions * ldm)
        }
    }

    /// Row `firstRow + i` of V (`[row][36][Cin]`) = `Bᵀ d B` of tile `tiles.lowerBound + i`, `d` its 6×6 input patch.
    private func transformInput(
        tiles: Range<Int>, firstRow: Int, plan p: Plan, input: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        let cin = g.inputChannels, w = VectorPointwise.width, dy = g.dilationY, dx = g.dilationX
        withUnsafeTemporaryAllocation(of: V.self, capacity: Self.positions) { temp in
            let t = temp.baseAddress!
            for (i, tile) in tiles.enumerated() {
                let ty = tile / p.tilesX, tx = tile - ty * p.tilesX
                let y0 = rowStarts[ty] - g.padding.top, x0 = columnStarts[tx] - g.padding.left
                let inside = y0 >= 0 && x0 >= 0 && y0 + 5 * dy < g.inputHeight && x0 + 5 * dx < g.inputWidth
                let dst = v + (firstRow + i) * Self.positions * cin
                var c = 0
                if inside && usesAVX512Transforms {
                    // Whole 16-channel vectors on zmm registers (same bits); the rest below.
                    c = cin - cin % WinogradTransformsAVX512.width
                    WinogradTransformsAVX512.transformInput(
                        input + (y0 * g.inputWidth + x0) * cin, rowStep: dy * g.inputWidth * cin, columnStep: dx * cin, channels: c,
                        dst, stride: cin)
                }
                while c < cin {
                    let lanes = min(w, cin - c)
                    // Columns: t[·][j] = Bᵀ d[·][j].
                    for j in 0..<6 {
                        let x = x0 + j * dx
                        @inline(__always) func load(_ r: Int) -> V {
                            let y = y0 + r * dy
                            if !inside && (y < 0 || y >= g.inputHeight || x < 0 || x >= g.inputWidth) { return V() }
                            return Self.load(input + (y * g.inputWidth + x) * cin + c, lanes: lanes)
                        }
                        let d0 = load(0), d1 = load(1), d2 = load(2), d3 = load(3), d4 = load(4), d5 = load(5)
                        let (b0, b1, b2, b3, b4, b5) = Self.inputRows(d0, d1, d2, d3, d4, d5)
                        t[j] = b0
                        t[6 + j] = b1
                        t[12 + j] = b2
                        t[18 + j] = b3
                        t[24 + j] = b4
                        t[30 + j] = b5
                    }
                    // Rows: V[i][·] = t[i][·] B.
                    for r in 0..<6 {
                        let row = t + 6 * r
                        let (b0, b1, b2, b3, b4, b5) = Self.inputRows(row[0], row[1], row[2], row[3], row[4], row[5])
                        let out = dst + (6 * r) * cin + c
                        Self.store(b0, out, lanes: lanes)
                        Self.store(b1, out + cin, lanes: lanes)
                        Self.store(b2, out + 2 * cin, lanes: lanes)
                        Self.store(b3, out + 3 * cin, lanes: lanes)
                        Self.store(b4, out + 4 * cin, lanes: lanes)
                        Self.store(b5, out + 5 * cin, lanes: lanes)
                    }
                    c += w
                }
            }
        }
    }

    /// `M[·][ξ][panel] = V[·][ξ] · U[ξ][panel]` for the first `rows` rows, the positions `positions` and the panels
    /// `panelRange`; M is `[row][36][panels · panelWidth]`.
    private func multiply(
        rows: Int, positions: Range<Int>, panels panelRange: Range<Int>, v: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>
    ) {
        let cin = geometry.inputChannels, cout = geometry.outputChannels
        let nr = panelWidth, ldm = panels * nr
        let u = UnsafePointer(transformed.pointer)
        // U (4× the layer's weights) beyond L2 comes from memory panel by panel; each panel serves only this block's
        // tiles (25 on a 19×19 map), so the next panel is fetched while this one runs.
        let prefetching = transformed.count > TiledGEMMConvolution.largeWeightFloats
        for xi in positions {
            for panel in panelRange {
                var next: UnsafePointer<Float>?
                if prefetching {
                    if panel + 1 < panelRange.upperBound {
                        next = u + (xi * panels + panel + 1) * cin * nr
                    } else if xi + 1 < positions.upperBound {
                        next = u + ((xi + 1) * panels + panelRange.lowerBound) * cin * nr
                    }
                }
                kernel.multiplyPanel(
                    v + xi * cin, lda: Self.positions * cin, rows: rows, depth: cin,
                    u + (xi * panels + panel) * cin * nr, m + xi * ldm + panel * nr,
                    ldc: Self.positions * ldm, cols: min(nr, cout - panel * nr), prefetching: next)
            }
        }
    }

    /// `Y = act(Aᵀ M A + bias)` for the tiles `tiles` (rows from `firstRow` of M), stored inside the output.
    private func transformOutput(
        tiles: Range<Int>, firstRow: Int, plan p: Plan, m: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        let cout = g.outputChannels, w = VectorPointwise.width, dy = g.dilationY, dx = g.dilationX
        let ldm = panels * panelWidth
        let (low, high) = VectorPointwise.bounds(activation)
        withUnsafeTemporaryAllocation(of: V.self, capacity: 24) { temp in
            let t = temp.baseAddress!
            for (i, tile) in tiles.enumerated() {
                let ty = tile / p.tilesX, tx = tile - ty * p.tilesX
                let oy0 = rowStarts[ty], ox0 = columnStarts[tx]
                let rows = min(Self.outputTile, (g.outputHeight - 1 - oy0) / dy + 1)
                let cols = min(Self.outputTile, (g.outputWidth - 1 - ox0) / dx + 1)
                let src = m + (firstRow + i) * Self.positions * ldm
                var k = 0
                if usesAVX512Transforms {
                    // Whole 16-channel vectors on zmm registers (same bits); the rest below.
                    k = cout - cout % WinogradTransformsAVX512.width
                    let (lowBound, highBound) = activation.clampBounds
                    WinogradTransformsAVX512.transformOutput(
                        src, stride: ldm, bias: bias.pointer, low: lowBound, high: highBound, channels: k, rows: rows, columns: cols,
                        output + (oy0 * g.outputWidth + ox0) * cout, rowStep: dy * g.outputWidth * cout, columnStep: dx * cout)
                }
                while k < cout {
                    let lanes = min(w, cout - k)
                    // Columns: t[·][j] = Aᵀ M[·][j].
                    for j in 0..<6 {
                        let s = src + j * ldm + k
                        let (a0, a1, a2, a3) = Self.outputRows(
                            Self.load(s, lanes: lanes), Self.load(s + 6 * ldm, lanes: lanes),
                            Self.load(s + 12 * ldm, lanes: lanes), Self.load(s + 18 * ldm, lanes: lanes),
                            Self.load(s + 24 * ldm, lanes: lanes), Self.load(s + 30 * ldm, lanes: lanes))
                        t[j] = a0
                        t[6 + j] = a1
                        t[12 + j] = a2
                        t[18 + j] = a3
                    }
                    let b = Self.load(bias.pointer + k, lanes: lanes)
                    // Rows: Y[r][·] = t[r][·] A.
                    for r in 0..<rows {
                        let row = t + 6 * r
                        let (y0, y1, y2, y3) = Self.outputRows(row[0], row[1], row[2], row[3], row[4], row[5])
                        let out = output + ((oy0 + r * dy) * g.outputWidth + ox0) * cout + k
                        let step = dx * cout
                        Self.store(VectorPointwise.clamp(y0 + b, low, high), out, lanes: lanes)
                        if cols > 1 { Self.store(VectorPointwise.clamp(y1 + b, low, high), out + step, lanes: lanes) }
                        if cols > 2 { Self.store(VectorPointwise.clamp(y2 + b, low, high), out + 2 * step, lanes: lanes) }
                        if cols > 3 { Self.store(VectorPointwise.clamp(y3 + b, low, high), out + 3 * step, lanes: lanes) }
                    }
                    k += w
                }
            }
        }
    }

    // MARK: - Transforms of six vectors

    /// `Bᵀ x` for the points 0, ±1, ±2, ∞.
    @inline(__always)
    static func inputRows(_ d0: V, _ d1: V, _ d2: V, _ d3: V, _ d4: V, _ d5: V) -> (V, V, V, V, V, V) {
        let four = V(repeating: 4), five = V(repeating: 5), two = V(repeating: 2)
        let e0 = VectorPointwise.madd(d4, four, d0) - five * d2
        let p1 = d4 - four * d2, q1 = d3 - four * d1  // t1 = p1 + q1, t2 = p1 − q1
        let p3 = d4 - d2, q3 = two * (d3 - d1)  // t3 = p3 + q3, t4 = p3 − q3
        let e5 = VectorPointwise.madd(d5, four, d1) - five * d3
        return (e0, p1 + q1, p1 - q1, p3 + q3, p3 - q3, e5)
    }

    /// `Aᵀ x` for the points 0, ±1, ±2, ∞.
    @inline(__always)
    static func outputRows(_ m0: V, _ m1: V, _ m2: V, _ m3: V, _ m4: V, _ m5: V) -> (V, V, V, V) {
        let s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4
        let two = V(repeating: 2), four = V(repeating: 4), eight = V(repeating: 8)
        return (
            m0 + s12 + s34, VectorPointwise.madd(d12, two, d34), VectorPointwise.madd(s12, four, s34),
            VectorPointwise.madd(d12, eight, d34) + m5
        )
    }

    // MARK: - Loads and stores of up to one vector

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, lanes: Int) -> V {
        if lanes == VectorPointwise.width { return VectorPointwise.load(p) }
        var v = V()
        for i in 0..<lanes { v[i] = p[i] }
        return v
    }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, lanes: Int) {
        if lanes == VectorPointwise.width {
            VectorPointwise.store(v, p)
            return
        }
        for i in 0..<lanes { p[i] = v[i] }
    }
}
