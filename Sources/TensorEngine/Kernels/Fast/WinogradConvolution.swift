/// 3×3, stride-1 convolution by Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray, "Fast Algorithms for
/// Convolutional Neural Networks", CVPR 2016): each 4×4 block of output pixels is computed from a 6×6 input tile with
/// 36 multiplications per (input, output) channel pair instead of 144, a 4× cut in arithmetic for the VGG16 layers.
///
/// `Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A` per tile, summed over input channels. Summing over channels first turns the
/// middle step into 36 independent GEMMs, one per position ξ of the 6×6 transformed tile:
/// `M[ξ] (tiles × Cout) = V[ξ] (tiles × Cin) · U[ξ] (Cin × Cout)`.
/// - `U = G g Gᵀ` is computed once, in double precision, and packed into the column panels of
///   ``TiledGEMMConvolution/tile(_:lda:rows:depth:_:_:_:_:ldc:cols:)``, whose register-tiled kernel runs the GEMMs.
/// - `V = Bᵀ d B` and the output transform `Aᵀ M A` are vectorised across channels (NHWC keeps them contiguous); the
///   output transform adds the bias, applies the activation and writes only the pixels inside the output.
///
/// Work is split into tasks of a block of tiles × a group of output-channel panels. Each task transforms its tiles'
/// input into per-worker scratch, runs the 36 GEMMs for its panels and transforms its outputs back, so all of a block's
/// intermediate data stays in that core's caches. Large maps are split by tiles; small ones (19×19, 38×38) by panels, so
/// both threads share the weights instead of each streaming all of them.
///
/// Accuracy: the transforms use the points 0, ±1, ±2, ∞; in float32 the result differs from a direct convolution by a
/// few units in the 6th significant digit (the parity tests bound it), which is why ``ConvolutionAlgorithm/preferred(for:)``
/// chooses this kernel only when its caller allows fast algorithms.
struct WinogradConvolution {
    typealias V = VectorPointwise.V
    /// Output pixels per tile side (m in F(m×m, 3×3)).
    static let outputTile = 4
    /// Input pixels per tile side: m + 3 − 1.
    static let inputTile = 6
    /// Positions of a transformed tile: 6 × 6.
    static let positions = 36

    let geometry: ConvolutionGeometry
    let activation: FusedActivation
    /// Column panels of the output channels: `⌈Cout / panelWidth⌉`.
    let panels: Int
    /// `[36][panels][Cin][panelWidth]` transformed weights, zero in the padding columns.
    let transformed: TensorStorage
    /// `[Cout]` bias, zero where the layer has none.
    let bias: TensorStorage
    /// `[panelWidth]` zeros: the GEMM tiles start from zero (the bias is added after the output transform).
    let zeros: TensorStorage

    static func supports(_ g: ConvolutionGeometry) -> Bool {
        g.groups == 1 && g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1
            && g.dilationY == 1 && g.dilationX == 1
    }

    /// Where the 4× cut in multiplications outweighs the transforms and the tile padding: maps of at least 8×8 output
    /// pixels and at least 16 input channels (the 3-channel stem stays on im2col).
    static func isWorthwhile(_ g: ConvolutionGeometry) -> Bool {
        supports(g) && g.outputHeight >= 8 && g.outputWidth >= 8 && g.inputChannels >= 16 && g.outputChannels >= 8
    }

    init(geometry g: ConvolutionGeometry, weights oihw: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: FusedActivation) {
        precondition(Self.supports(g), "WinogradConvolution: unsupported geometry \(g)")
        geometry = g
        self.activation = activation
        let cin = g.inputChannels, cout = g.outputChannels, nr = TiledGEMMConvolution.panelWidth
        panels = (cout + nr - 1) / nr
        transformed = TensorStorage(count: Self.positions * panels * cin * nr)
        let u = transformed.pointer
        var tile = [Double](repeating: 0, count: Self.positions)
        for co in 0..<cout {
            for ci in 0..<cin {
                Self.transformFilter(oihw + (co * cin + ci) * 9, into: &tile)
                for xi in 0..<Self.positions {
                    u[((xi * panels + co / nr) * cin + ci) * nr + co % nr] = Float(tile[xi])
                }
            }
        }
        self.bias = TensorStorage(count: cout)
        if let bias { self.bias.pointer.update(from: bias, count: cout) }
        zeros = TensorStorage(count: nr)
    }

    /// `G g Gᵀ` for one 3×3 filter, row-major 6×6, in double precision.
    static func transformFilter(_ g: UnsafePointer<Float>, into out: inout [Double]) {
        let G: [[Double]] = [
            [1.0 / 4, 0, 0],
            [-1.0 / 6, -1.0 / 6, -1.0 / 6],
            [-1.0 / 6, 1.0 / 6, -1.0 / 6],
            [1.0 / 24, 1.0 / 12, 1.0 / 6],
            [1.0 / 24, -1.0 / 12, 1.0 / 6],
            [0, 0, 1],
        ]
        var gg = [Double](repeating: 0, count: 18)  // G g: 6 × 3
        for i in 0..<6 {
            for j in 0..<3 {
                gg[i * 3 + j] = G[i][0] * Double(g[j]) + G[i][1] * Double(g[3 + j]) + G[i][2] * Double(g[6 + j])
            }
        }
        for i in 0..<6 {
            for j in 0..<6 {
                out[i * 6 + j] = gg[i * 3] * G[j][0] + gg[i * 3 + 1] * G[j][1] + gg[i * 3 + 2] * G[j][2]
            }
        }
    }

    // MARK: - Work split

    /// How one run splits into tasks; depends only on the geometry and the thread count.
    struct Plan {
        var tilesX: Int
        var tiles: Int
        /// Tiles per block (the last block may be shorter).
        var blockTiles: Int
        var blocks: Int
        /// Output-channel panel groups per block.
        var groups: Int
        /// Panels in the largest group.
        var groupPanels: Int

        /// Floats of V scratch per worker: `36 × blockTiles × Cin`.
        var inputFloats: Int
        /// Floats of M scratch per worker: `36 × blockTiles × groupPanels · panelWidth`.
        var outputFloats: Int
        var workerFloats: Int { inputFloats + outputFloats }
    }

    func plan(threads: Int) -> Plan {
        let g = geometry
        let tilesX = (g.outputWidth + Self.outputTile - 1) / Self.outputTile
        let tilesY = (g.outputHeight + Self.outputTile - 1) / Self.outputTile
        let tiles = tilesX * tilesY
        // A block's V[ξ] (blockTiles × Cin) should stay in L2 while every panel of U[ξ] sweeps it; blocks of 120 tiles
        // reuse each panel of U 120 times, enough to stream U (4× the layer's weights) from memory.
        let byCache = max(24, (64 * 1024 / g.inputChannels) / 6 * 6)
        var blocks = (tiles + min(120, byCache) - 1) / min(120, byCache)
        let blockTiles = (tiles + blocks - 1) / blocks
        blocks = (tiles + blockTiles - 1) / blockTiles
        var groups = 1
        if threads > 1 && blocks < 3 * threads {
            groups = min(panels, (3 * threads + blocks - 1) / blocks)
        }
        let groupPanels = (panels + groups - 1) / groups
        let nr = TiledGEMMConvolution.panelWidth
        return Plan(tilesX: tilesX, tiles: tiles, blockTiles: blockTiles, blocks: blocks, groups: groups,
                    groupPanels: groupPanels, inputFloats: Self.positions * blockTiles * g.inputChannels,
                    outputFloats: Self.positions * blockTiles * groupPanels * nr)
    }

    /// Floats of scratch ``run(input:output:scratch:pool:)`` needs on a pool of `threads`.
    func scratchCount(threads: Int) -> Int {
        let p = plan(threads: max(1, threads))
        return max(1, threads) * p.workerFloats
    }

    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let p = plan(threads: pool.threadCount)
        pool.runOnWorkers(tasks: p.blocks * p.groups) { task, worker in
            let block = task / p.groups, group = task % p.groups
            let firstPanel = panels * group / p.groups, endPanel = panels * (group + 1) / p.groups
            let firstTile = block * p.blockTiles
            let count = min(p.blockTiles, p.tiles - firstTile)
            let v = scratch + worker * p.workerFloats
            let m = v + p.inputFloats
            transformInput(tiles: firstTile..<(firstTile + count), plan: p, input: input, into: v)
            multiply(tiles: count, plan: p, panels: firstPanel..<endPanel, v: v, m: m)
            transformOutput(tiles: firstTile..<(firstTile + count), plan: p, panels: firstPanel..<endPanel, m: m, output: output)
        }
    }

    // MARK: - Stages

    /// `V[ξ][t][c] = (Bᵀ d B)[ξ]` for the tiles `tiles`, `d` the 6×6 input patch of tile t, channel c.
    private func transformInput(tiles: Range<Int>, plan p: Plan, input: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>) {
        let g = geometry
        let cin = g.inputChannels, w = VectorPointwise.width
        let positionStride = p.blockTiles * cin
        withUnsafeTemporaryAllocation(of: V.self, capacity: Self.positions) { temp in
            let t = temp.baseAddress!
            for (row, tile) in tiles.enumerated() {
                let ty = tile / p.tilesX, tx = tile - ty * p.tilesX
                let y0 = ty * Self.outputTile - g.padding.top, x0 = tx * Self.outputTile - g.padding.left
                let inside = y0 >= 0 && x0 >= 0 && y0 + Self.inputTile <= g.inputHeight && x0 + Self.inputTile <= g.inputWidth
                let dst = v + row * cin
                var c = 0
                while c < cin {
                    let lanes = min(w, cin - c)
                    // Columns: t[·][j] = Bᵀ d[·][j].
                    for j in 0..<6 {
                        let x = x0 + j
                        @inline(__always) func load(_ r: Int) -> V {
                            let y = y0 + r
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
                    for i in 0..<6 {
                        let r = t + 6 * i
                        let (b0, b1, b2, b3, b4, b5) = Self.inputRows(r[0], r[1], r[2], r[3], r[4], r[5])
                        let out = dst + (6 * i) * positionStride + c
                        Self.store(b0, out, lanes: lanes)
                        Self.store(b1, out + positionStride, lanes: lanes)
                        Self.store(b2, out + 2 * positionStride, lanes: lanes)
                        Self.store(b3, out + 3 * positionStride, lanes: lanes)
                        Self.store(b4, out + 4 * positionStride, lanes: lanes)
                        Self.store(b5, out + 5 * positionStride, lanes: lanes)
                    }
                    c += w
                }
            }
        }
    }

    /// `M[ξ] = V[ξ] · U[ξ]` for the panels `panelRange`: M is `[36][tiles][groupPanels · panelWidth]`.
    private func multiply(tiles: Int, plan p: Plan, panels panelRange: Range<Int>, v: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>) {
        let cin = geometry.inputChannels, cout = geometry.outputChannels
        let nr = TiledGEMMConvolution.panelWidth, mr = TiledGEMMConvolution.tileRows
        let ldm = p.groupPanels * nr
        let u = UnsafePointer(transformed.pointer)
        let zero = UnsafePointer(zeros.pointer)
        for xi in 0..<Self.positions {
            let a = v + xi * p.blockTiles * cin
            let c = m + xi * p.blockTiles * ldm
            for panel in panelRange {
                let b = u + (xi * panels + panel) * cin * nr
                let cols = min(nr, cout - panel * nr)
                let column = (panel - panelRange.lowerBound) * nr
                var r = 0
                while r < tiles {
                    TiledGEMMConvolution.tile(a + r * cin, lda: cin, rows: min(mr, tiles - r), depth: cin, b, zero, .none,
                                              c + r * ldm + column, ldc: ldm, cols: cols)
                    r += mr
                }
            }
        }
    }

    /// `Y = act(Aᵀ M A + bias)` for the tiles `tiles` and the output channels of `panelRange`, stored inside the output.
    private func transformOutput(
        tiles: Range<Int>, plan p: Plan, panels panelRange: Range<Int>, m: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        let cout = g.outputChannels, w = VectorPointwise.width, nr = TiledGEMMConvolution.panelWidth
        let ldm = p.groupPanels * nr
        let positionStride = p.blockTiles * ldm
        let firstChannel = panelRange.lowerBound * nr, endChannel = min(cout, panelRange.upperBound * nr)
        let (low, high) = VectorPointwise.bounds(activation)
        withUnsafeTemporaryAllocation(of: V.self, capacity: 24) { temp in
            let t = temp.baseAddress!
            for (row, tile) in tiles.enumerated() {
                let ty = tile / p.tilesX, tx = tile - ty * p.tilesX
                let oy0 = ty * Self.outputTile, ox0 = tx * Self.outputTile
                let rows = min(Self.outputTile, g.outputHeight - oy0), cols = min(Self.outputTile, g.outputWidth - ox0)
                var k = firstChannel
                while k < endChannel {
                    let lanes = min(w, endChannel - k)
                    let src = m + row * ldm + (k - firstChannel)
                    // Columns: t[·][j] = Aᵀ M[·][j].
                    for j in 0..<6 {
                        let s = src + j * positionStride
                        let (a0, a1, a2, a3) = Self.outputRows(
                            Self.load(s, lanes: lanes), Self.load(s + 6 * positionStride, lanes: lanes),
                            Self.load(s + 12 * positionStride, lanes: lanes), Self.load(s + 18 * positionStride, lanes: lanes),
                            Self.load(s + 24 * positionStride, lanes: lanes), Self.load(s + 30 * positionStride, lanes: lanes))
                        t[j] = a0
                        t[6 + j] = a1
                        t[12 + j] = a2
                        t[18 + j] = a3
                    }
                    let b = Self.load(bias.pointer + k, lanes: lanes)
                    // Rows: Y[i][·] = t[i][·] A.
                    for i in 0..<rows {
                        let r = t + 6 * i
                        let (y0, y1, y2, y3) = Self.outputRows(r[0], r[1], r[2], r[3], r[4], r[5])
                        let out = output + ((oy0 + i) * g.outputWidth + ox0) * cout + k
                        Self.store(VectorPointwise.clamp(y0 + b, low, high), out, lanes: lanes)
                        if cols > 1 { Self.store(VectorPointwise.clamp(y1 + b, low, high), out + cout, lanes: lanes) }
                        if cols > 2 { Self.store(VectorPointwise.clamp(y2 + b, low, high), out + 2 * cout, lanes: lanes) }
                        if cols > 3 { Self.store(VectorPointwise.clamp(y3 + b, low, high), out + 3 * cout, lanes: lanes) }
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
        let p1 = d4 - four * d2, q1 = d3 - four * d1          // t1 = p1 + q1, t2 = p1 − q1
        let p3 = d4 - d2, q3 = two * (d3 - d1)                // t3 = p3 + q3, t4 = p3 − q3
        let e5 = VectorPointwise.madd(d5, four, d1) - five * d3
        return (e0, p1 + q1, p1 - q1, p3 + q3, p3 - q3, e5)
    }

    /// `Aᵀ x` for the points 0, ±1, ±2, ∞.
    @inline(__always)
    static func outputRows(_ m0: V, _ m1: V, _ m2: V, _ m3: V, _ m4: V, _ m5: V) -> (V, V, V, V) {
        let s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4
        let two = V(repeating: 2), four = V(repeating: 4), eight = V(repeating: 8)
        return (m0 + s12 + s34, VectorPointwise.madd(d12, two, d34), VectorPointwise.madd(s12, four, s34),
                VectorPointwise.madd(d12, eight, d34) + m5)
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
