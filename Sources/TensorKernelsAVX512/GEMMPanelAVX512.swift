import TensorKernelsX86

/// The engine's GEMM inner kernel for CPUs with AVX-512, compiled for `skylake-avx512` (AVX-512 F/CD/BW/DQ/VL: every
/// AVX-512 CPU since Intel Skylake-SP and AMD Zen 4) while the rest of the engine targets AVX2. TensorEngine calls it only
/// after checking the CPU (``TensorEngine/GEMMKernel``), so the binary still runs on AVX2-only machines.
///
/// An 8-row × 32-column tile of `C` is accumulated in 16 zmm registers over the whole depth: each step loads two weight
/// vectors and broadcasts eight `A` values, 16 FMAs for 10 loads, twice the work per instruction of the 8-wide kernel.
public enum GEMMPanelAVX512 {
    typealias V = SIMD16<Float>
    /// Output rows per register tile.
    public static let tileRows = 8
    /// Columns per weight panel: two 16-wide vectors.
    public static let panelWidth = 32

    /// `c[r][j] = Σₖ a[r·lda + k] · b[k·32 + j]` for `r < rows`, `j < cols ≤ 32`: one panel of `b` (`depth × 32`, packed)
    /// against `rows` rows of `a`, tile by tile.
    ///
    /// - Important: call only on a CPU with AVX-512 F; the pointers must be valid for the stated extents.
    ///
    /// With `next` (another panel, `depth × 32` floats) it also asks for that panel's cache lines to be brought into L2, a
    /// share before each tile, so a caller walking panels that come from memory (Winograd's U on small maps: each panel
    /// serves a few tiles) overlaps the next panel's transfer with this one's arithmetic.
    public static func multiplyPanel(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, depth: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int, prefetching next: UnsafePointer<Float>? = nil
    ) {
        var shares = PrefetchShares(next, depth: depth, rows: rows)
        var r = 0
        while r < rows {
            let (prefetch, lines) = shares.take()
            tile(
                a + r * lda, lda: lda, rows: min(tileRows, rows - r), depth: depth, b, c + r * ldc, ldc: ldc, cols: cols,
                prefetch: prefetch, prefetchLines: lines)
            r += tileRows
        }
    }

    /// `c[r][j] = min(max(bias[j] + Σₖ a[r·lda + k] · b[k·32 + j], low), high)`: ``multiplyPanel(_:lda:rows:depth:_:_:ldc:cols:)``
    /// starting from a bias (32 floats) and clamped (±infinity where the activation has no bound), for convolutions
    /// whose bias and activation are fused into the store.
    public static func multiplyPanel(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, depth: Int, _ b: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        low: Float, high: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int, prefetching next: UnsafePointer<Float>? = nil
    ) {
        let start = (load(bias), load(bias + 16))
        let bounds = (V(repeating: low), V(repeating: high))
        var shares = PrefetchShares(next, depth: depth, rows: rows)
        var r = 0
        while r < rows {
            let (prefetch, lines) = shares.take()
            tile(
                a + r * lda, lda: lda, rows: min(tileRows, rows - r), depth: depth, b, c + r * ldc, ldc: ldc, cols: cols,
                start: start, bounds: bounds, prefetch: prefetch, prefetchLines: lines)
            r += tileRows
        }
    }

    /// ``multiplyPanel(_:lda:rows:depth:_:bias:low:high:_:ldc:cols:)`` on an `A` read in place from a convolution's NHWC
    /// input instead of im2col rows: row `r`'s `segments · depth` values are `segments` runs of `depth` contiguous
    /// floats, `segmentStride` apart, the first at `a + r·lda` (the kernel rows of output pixels whose taps all lie
    /// inside the input). The same sums in the same order as on the im2col rows, so the same bits.
    public static func multiplySegmentedPanel(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, segments: Int, depth: Int, segmentStride: Int, _ b: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, low: Float, high: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int
    ) {
        let start = (load(bias), load(bias + 16))
        let bounds = (V(repeating: low), V(repeating: high))
        var r = 0
        while r < rows {
            tile(
                a + r * lda, lda: lda, rows: min(tileRows, rows - r), depth: depth, b, c + r * ldc, ldc: ldc, cols: cols,
                start: start, bounds: bounds, segments: segments, segmentStride: segmentStride)
            r += tileRows
        }
    }

    /// ``multiplyPanel(_:lda:rows:depth:_:_:ldc:cols:)`` for a panel whose real columns fit in its first vector
    /// (`cols ≤ 16`), on the one-vector tile: half the FMAs, the same results bit for bit. (A separate entry point: a
    /// branch between the two tiles inside one loop made LLVM stop inlining the full tile, 15 % slower.)
    public static func multiplyNarrowPanel(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, depth: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int
    ) {
        var r = 0
        while r < rows {
            narrowTile(a + r * lda, lda: lda, rows: min(tileRows, rows - r), depth: depth, b, c + r * ldc, ldc: ldc, cols: cols)
            r += tileRows
        }
    }

    /// ``multiplyPanel(_:lda:rows:depth:_:bias:low:high:_:ldc:cols:)`` on the one-vector tile, for `cols ≤ 16`.
    public static func multiplyNarrowPanel(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, depth: Int, _ b: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        low: Float, high: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int
    ) {
        let start = load(bias)
        let bounds = (V(repeating: low), V(repeating: high))
        var r = 0
        while r < rows {
            narrowTile(
                a + r * lda, lda: lda, rows: min(tileRows, rows - r), depth: depth, b, c + r * ldc, ldc: ldc, cols: cols,
                start: start, bounds: bounds)
            r += tileRows
        }
    }

    /// One tile of at most 8 rows; missing rows repeat the last real one (their sums are not stored). Each row's values
    /// are `segments` runs of `depth`, `segmentStride` apart (one run everywhere but
    /// ``multiplySegmentedPanel(_:lda:rows:segments:depth:segmentStride:_:bias:low:high:_:ldc:cols:)``).
    @inline(__always)
    static func tile(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, depth: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int,
        start: (V, V) = (V(), V()), bounds: (low: V, high: V)? = nil, segments: Int = 1, segmentStride: Int = 0,
        prefetch: UnsafePointer<Float>? = nil, prefetchLines: Int = 0
    ) {
        let a0 = a
        let a1 = rows > 1 ? a0 + lda : a0
        let a2 = rows > 2 ? a1 + lda : a1
        let a3 = rows > 3 ? a2 + lda : a2
        let a4 = rows > 4 ? a3 + lda : a3
        let a5 = rows > 5 ? a4 + lda : a4
        let a6 = rows > 6 ? a5 + lda : a5
        let a7 = rows > 7 ? a6 + lda : a6
        let (s0, s1) = start
        var c00 = s0, c01 = s1, c10 = s0, c11 = s1, c20 = s0, c21 = s1, c30 = s0, c31 = s1
        var c40 = s0, c41 = s1, c50 = s0, c51 = s1, c60 = s0, c61 = s1, c70 = s0, c71 = s1
        var bp = b
        var first = 0
        for _ in 0..<segments {
            for k in first..<(first + depth) {
                let b0 = load(bp), b1 = load(bp + 16)
                var x = V(repeating: a0[k])
                c00 = c00.addingProduct(x, b0)
                c01 = c01.addingProduct(x, b1)
                x = V(repeating: a1[k])
                c10 = c10.addingProduct(x, b0)
                c11 = c11.addingProduct(x, b1)
                x = V(repeating: a2[k])
                c20 = c20.addingProduct(x, b0)
                c21 = c21.addingProduct(x, b1)
                x = V(repeating: a3[k])
                c30 = c30.addingProduct(x, b0)
                c31 = c31.addingProduct(x, b1)
                x = V(repeating: a4[k])
                c40 = c40.addingProduct(x, b0)
                c41 = c41.addingProduct(x, b1)
                x = V(repeating: a5[k])
                c50 = c50.addingProduct(x, b0)
                c51 = c51.addingProduct(x, b1)
                x = V(repeating: a6[k])
                c60 = c60.addingProduct(x, b0)
                c61 = c61.addingProduct(x, b1)
                x = V(repeating: a7[k])
                c70 = c70.addingProduct(x, b0)
                c71 = c71.addingProduct(x, b1)
                bp += 32
                if let prefetch {
                    // Step k asks for lines k and depth + k of the share (one segment only: the segmented panels
                    // of the in-place 3×3 convolution pass no prefetch).
                    if k < prefetchLines { ssdd_prefetch_l2(prefetch + 16 * k) }
                    if k + depth < prefetchLines { ssdd_prefetch_l2(prefetch + 16 * (k + depth)) }
                }
            }
            first += segmentStride
        }
        if let (low, high) = bounds {
            // Direct calls: a local `clamp(_:)` capturing the bounds was left out of line (perf: 4.8 % of SSDLite's time).
            (c00, c01, c10, c11) = (clamp(c00, low, high), clamp(c01, low, high), clamp(c10, low, high), clamp(c11, low, high))
            (c20, c21, c30, c31) = (clamp(c20, low, high), clamp(c21, low, high), clamp(c30, low, high), clamp(c31, low, high))
            (c40, c41, c50, c51) = (clamp(c40, low, high), clamp(c41, low, high), clamp(c50, low, high), clamp(c51, low, high))
            (c60, c61, c70, c71) = (clamp(c60, low, high), clamp(c61, low, high), clamp(c70, low, high), clamp(c71, low, high))
        }
        storeRow(c00, c01, c, cols: cols)
        if rows > 1 { storeRow(c10, c11, c + ldc, cols: cols) }
        if rows > 2 { storeRow(c20, c21, c + 2 * ldc, cols: cols) }
        if rows > 3 { storeRow(c30, c31, c + 3 * ldc, cols: cols) }
        if rows > 4 { storeRow(c40, c41, c + 4 * ldc, cols: cols) }
        if rows > 5 { storeRow(c50, c51, c + 5 * ldc, cols: cols) }
        if rows > 6 { storeRow(c60, c61, c + 6 * ldc, cols: cols) }
        if rows > 7 { storeRow(c70, c71, c + 7 * ldc, cols: cols) }
    }

    /// ``tile(_:lda:rows:depth:_:_:ldc:cols:start:bounds:)`` for a panel whose real columns fit in its first vector
    /// (`cols ≤ 16`: a layer of 16 output channels, the last panel of 144, the box predictors' 6 and 12): one vector of
    /// eight rows, half the FMAs of the full tile, the same sums in the same order (bit-identical results).
    @inline(__always)
    static func narrowTile(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, depth: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int,
        start: V = V(), bounds: (low: V, high: V)? = nil
    ) {
        let a0 = a
        let a1 = rows > 1 ? a0 + lda : a0
        let a2 = rows > 2 ? a1 + lda : a1
        let a3 = rows > 3 ? a2 + lda : a2
        let a4 = rows > 4 ? a3 + lda : a3
        let a5 = rows > 5 ? a4 + lda : a4
        let a6 = rows > 6 ? a5 + lda : a5
        let a7 = rows > 7 ? a6 + lda : a6
        var c0 = start, c1 = start, c2 = start, c3 = start, c4 = start, c5 = start, c6 = start, c7 = start
        var bp = b
        for k in 0..<depth {
            let b0 = load(bp)
            c0 = c0.addingProduct(V(repeating: a0[k]), b0)
            c1 = c1.addingProduct(V(repeating: a1[k]), b0)
            c2 = c2.addingProduct(V(repeating: a2[k]), b0)
            c3 = c3.addingProduct(V(repeating: a3[k]), b0)
            c4 = c4.addingProduct(V(repeating: a4[k]), b0)
            c5 = c5.addingProduct(V(repeating: a5[k]), b0)
            c6 = c6.addingProduct(V(repeating: a6[k]), b0)
            c7 = c7.addingProduct(V(repeating: a7[k]), b0)
            bp += 32
        }
        if let (low, high) = bounds {
            (c0, c1, c2, c3) = (clamp(c0, low, high), clamp(c1, low, high), clamp(c2, low, high), clamp(c3, low, high))
            (c4, c5, c6, c7) = (clamp(c4, low, high), clamp(c5, low, high), clamp(c6, low, high), clamp(c7, low, high))
        }
        storeNarrowRow(c0, c, cols: cols)
        if rows > 1 { storeNarrowRow(c1, c + ldc, cols: cols) }
        if rows > 2 { storeNarrowRow(c2, c + 2 * ldc, cols: cols) }
        if rows > 3 { storeNarrowRow(c3, c + 3 * ldc, cols: cols) }
        if rows > 4 { storeNarrowRow(c4, c + 4 * ldc, cols: cols) }
        if rows > 5 { storeNarrowRow(c5, c + 5 * ldc, cols: cols) }
        if rows > 6 { storeNarrowRow(c6, c + 6 * ldc, cols: cols) }
        if rows > 7 { storeNarrowRow(c7, c + 7 * ldc, cols: cols) }
    }

    /// The next panel's cache lines (two per depth step) shared out over a panel's tiles, in order; each tile issues
    /// its share one or two per step of its depth loop, so the transfers spread over the arithmetic.
    struct PrefetchShares {
        let next: UnsafePointer<Float>?
        let lines: Int
        let perTile: Int
        var line = 0

        init(_ next: UnsafePointer<Float>?, depth: Int, rows: Int) {
            self.next = next
            lines = next == nil ? 0 : 2 * depth
            let tiles = max(1, (rows + GEMMPanelAVX512.tileRows - 1) / GEMMPanelAVX512.tileRows)
            perTile = (lines + tiles - 1) / tiles
        }

        /// The first line of the next tile's share and its count (nil and 0 once the panel is covered).
        mutating func take() -> (UnsafePointer<Float>?, Int) {
            let count = min(perTile, lines - line)
            guard count > 0, let next else { return (nil, 0) }
            defer { line += count }
            return (next + 16 * line, count)
        }
    }

    /// `min(max(v, low), high)` lane by lane (a NaN lane stays NaN): one zmm vmaxps and one vminps, from the C vector
    /// select in `ssdd_clamp16`. The same select written as a Swift lane loop became one vmaxps only where few vectors
    /// were live; at the tile's store (16 accumulators) LLVM split it into xmm pieces with extracts, inserts and stack
    /// spills — 57 % of the 16-deep expansion's time. (`replacing(with:where:)` and `pointwiseMax` go through mask
    /// conversions, ~30 instructions per vector.)
    @_transparent
    static func clamp(_ v: V, _ low: V, _ high: V) -> V { ssdd_clamp16(v, low, high) }

    @inline(__always)
    static func storeNarrowRow(_ v: V, _ p: UnsafeMutablePointer<Float>, cols: Int) {
        if cols == 16 {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
        } else {
            storePart(v, p, count: cols)
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func storeRow(_ v0: V, _ v1: V, _ p: UnsafeMutablePointer<Float>, cols: Int) {
        if cols == 32 {
            UnsafeMutableRawPointer(p).storeBytes(of: v0, as: V.self)
            UnsafeMutableRawPointer(p + 16).storeBytes(of: v1, as: V.self)
            return
        }
        // A partial panel (the layer's last columns): whole vectors where they fit, then halves, then single lanes.
        if cols >= 16 {
            UnsafeMutableRawPointer(p).storeBytes(of: v0, as: V.self)
            storePart(v1, p + 16, count: cols - 16)
        } else {
            storePart(v0, p, count: cols)
        }
    }

    @inline(__always)
    static func storePart(_ v: V, _ p: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        if count >= 8 {
            UnsafeMutableRawPointer(p).storeBytes(of: v.lowHalf, as: SIMD8<Float>.self)
            j = 8
        }
        if count - j >= 4 {
            let quarter = j == 0 ? v.lowHalf.lowHalf : v.highHalf.lowHalf
            UnsafeMutableRawPointer(p + j).storeBytes(of: quarter, as: SIMD4<Float>.self)
            j += 4
        }
        while j < count {
            p[j] = v[j]
            j += 1
        }
    }
}
