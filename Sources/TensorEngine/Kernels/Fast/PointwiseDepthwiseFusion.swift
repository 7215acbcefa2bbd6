/// A 1×1 expansion followed by a depthwise 3×3 (the first two convolutions of every MobileNetV2 inverted residual),
/// run band by band so the wide expanded activation never leaves the core's cache.
///
/// Unfused, SSDLite's first blocks write their expansion (150×150×96 floats, 8.6 MB) to memory and read it back for
/// the depthwise convolution. Here each task owns a contiguous range of depthwise output rows; for each band of them it
/// expands just the input rows the band reads into a per-worker buffer (an L2-sized slice of the expansion) and runs
/// the depthwise rows on it. The two rows a stride-1 band shares with the next one (one with stride 2) are moved to
/// the front of the buffer instead of being recomputed; only task boundaries recompute them. Results are bit-identical
/// to running the two kernels one after the other: the same kernels compute the same sums.
struct PointwiseDepthwiseFusion {
    let expand: TiledGEMMConvolution
    let depthwise: DepthwiseConvolution3x3
    /// Depthwise output rows per band.
    let bandRows: Int

    /// Whether `expand` (a 1×1, stride-1, unpadded convolution) feeds `depthwise` directly: same map, same channels.
    static func canChain(_ expand: TiledGEMMConvolution, _ depthwise: DepthwiseConvolution3x3) -> Bool {
        let e = expand.geometry, d = depthwise.geometry
        return expand.isPointwise && e.outputHeight == d.inputHeight && e.outputWidth == d.inputWidth
            && e.outputChannels == d.inputChannels
    }

    /// Whether fusing pays: the expansion's output is large enough to fall out of L2 (``minimumExpandedFloats``).
    /// Smaller maps stay in cache anyway, and splitting them into bands only adds boundary rows.
    static func isWorthwhile(_ expand: TiledGEMMConvolution) -> Bool {
        let e = expand.geometry
        return e.outputHeight * e.outputWidth * e.outputChannels >= minimumExpandedFloats
    }

    /// 1 MB of expanded activations: SSDLite's 150×150, 75×75 and 38×38 blocks fuse, the 19×19 and smaller do not.
    static let minimumExpandedFloats = 256 * 1024

    init(expand: TiledGEMMConvolution, depthwise: DepthwiseConvolution3x3) {
        precondition(Self.canChain(expand, depthwise), "PointwiseDepthwiseFusion: the layers do not chain")
        self.expand = expand
        self.depthwise = depthwise
        // About 512 KB of expanded rows per band, at least 4 output rows.
        let rowFloats = depthwise.geometry.inputWidth * depthwise.geometry.inputChannels
        let byCache = (128 * 1024 / max(rowFloats, 1) - 2) / depthwise.geometry.strideY
        bandRows = max(4, min(byCache, depthwise.geometry.outputHeight))
    }

    /// Expanded input rows a band of `rows` output rows reads (stride·(rows − 1) + 3).
    private var bandInputRows: Int { depthwise.geometry.strideY * (bandRows - 1) + 3 }

    /// Floats of scratch ``run(input:output:scratch:pool:)`` needs on a pool of `threads`: one band buffer each.
    func scratchCount(threads: Int) -> Int {
        max(1, threads) * bandInputRows * depthwise.geometry.inputWidth * depthwise.geometry.inputChannels
    }

    /// Runs both layers: `input` is the expansion's `[H, W, Cin]`, `output` the depthwise `[OH, OW, C]`.
    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let outputRows = depthwise.geometry.outputHeight
        let bandFloats = bandInputRows * depthwise.geometry.inputWidth * depthwise.geometry.inputChannels
        // One task per thread keeps recomputed boundary rows to one band edge per thread.
        let tasks = min(pool.threadCount, (outputRows + 1) / 2)
        pool.runOnWorkers(tasks: tasks) { task, worker in
            let first = outputRows * task / tasks, end = outputRows * (task + 1) / tasks
            rows(first..<end, input: input, output: output, buffer: scratch + worker * bandFloats)
        }
    }

    /// Depthwise output rows `range`, band by band, expanding into `buffer`.
    private func rows(_ range: Range<Int>, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, buffer: UnsafeMutablePointer<Float>) {
        Self.forEachBand(range, bandRows: bandRows, expand: .tiled(expand), depthwise: depthwise.geometry, input: input, buffer: buffer) {
            band, expanded in
            depthwise.runRows(band, input: expanded, output: output)
        }
    }

    /// Walks depthwise output rows `range` in bands of `bandRows`, from the top: see
    /// ``forEachBand(next:expand:depthwise:input:buffer:_:)``.
    @inline(__always)
    static func forEachBand(
        _ range: Range<Int>, bandRows: Int, expand: PointwiseStage, depthwise d: ConvolutionGeometry,
        input: UnsafePointer<Float>, buffer: UnsafeMutablePointer<Float>, _ body: (Range<Int>, UnsafePointer<Float>) -> Void
    ) {
        var band = range.lowerBound
        forEachBand(
            next: {
                if band >= range.upperBound { return nil }
                defer { band = min(range.upperBound, band + bandRows) }
                return band..<min(range.upperBound, band + bandRows)
            }, expand: expand, depthwise: d, input: input, buffer: buffer, body)
    }

    /// Walks the depthwise output rows `next()` hands out, band after band until it returns `nil`: for each band,
    /// expands into `buffer` the input rows the band reads (clipped to the map) and calls `body(band, expanded)`, where
    /// `expanded` addresses `buffer` as if it held the whole expanded map `[H, W, C]` (only the band's rows are valid).
    /// Rows a band shares with the previous one — above it when walking down, below it when walking up
    /// (``BandClaims``) — are moved in `buffer` instead of being expanded again. `buffer` must hold
    /// `(stride·(bandRows − 1) + 3)` rows for the largest band.
    @inline(__always)
    static func forEachBand(
        next: () -> Range<Int>?, expand: PointwiseStage, depthwise d: ConvolutionGeometry, input: UnsafePointer<Float>,
        buffer: UnsafeMutablePointer<Float>, _ body: (Range<Int>, UnsafePointer<Float>) -> Void
    ) {
        let rowFloats = d.inputWidth * d.inputChannels
        // Expanded rows currently in `buffer`: [held.lowerBound, held.upperBound), starting at buffer[0].
        var held = 0..<0
        while let band = next() {
            // Input rows this band reads, clipped to the map (rows outside are padding).
            let need =
                max(0, band.lowerBound * d.strideY - d.padding.top)..<min(d.inputHeight, (band.upperBound - 1) * d.strideY - d.padding.top + 3)
            // The buffer, seen as the whole expanded map, starts at row need.lowerBound.
            let map = buffer - need.lowerBound * rowFloats
            var missing = need
            if held.contains(need.lowerBound) {
                // Walking down: keep the overlap, moved to the front (regions may overlap: memmove).
                let kept = need.lowerBound..<min(held.upperBound, need.upperBound)
                UnsafeMutableRawPointer(map + kept.lowerBound * rowFloats).copyMemory(
                    from: buffer + (kept.lowerBound - held.lowerBound) * rowFloats, byteCount: kept.count * rowFloats * 4)
                missing = kept.upperBound..<need.upperBound
            } else if held.contains(need.upperBound - 1) && held.lowerBound > need.lowerBound {
                // Walking up: keep the overlap, moved down to where the band's last rows go.
                let kept = held.lowerBound..<need.upperBound
                UnsafeMutableRawPointer(map + kept.lowerBound * rowFloats).copyMemory(
                    from: buffer, byteCount: kept.count * rowFloats * 4)
                missing = need.lowerBound..<kept.lowerBound
            }
            if !missing.isEmpty {
                expand.compute(rows: (missing.lowerBound * d.inputWidth)..<(missing.upperBound * d.inputWidth), input: input, output: map)
            }
            held = need
            body(band, UnsafePointer(map))
        }
    }
}
