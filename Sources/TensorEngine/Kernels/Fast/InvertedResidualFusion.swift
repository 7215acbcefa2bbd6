import TensorKernelsAVX512
import TensorKernelsX86

/// A whole MobileNetV2 inverted-residual block — 1×1 expansion (optional), depthwise 3×3, 1×1 projection and the
/// residual add (optional) — run band by band in one parallel region, so neither the expanded map nor the depthwise
/// output ever leaves the core's cache.
///
/// Unfused, each block writes two wide intermediate maps (the expansion and the depthwise output, 6× the block's
/// channels) to memory and reads them back, and at 2 threads hands work to the pool three or four times. Here each task
/// owns a contiguous range of output rows; for each band of them it expands the input rows the band reads
/// (``PointwiseDepthwiseFusion/forEachBand(_:bandRows:expand:depthwise:input:buffer:_:)``), runs the depthwise rows
/// into a second per-worker buffer, projects those rows straight into the output and adds the block's input to them.
/// Results are bit-identical to running the kernels one after the other: the same kernels compute the same sums, only
/// where rows are computed changes (and `a + b` equals `b + a` in IEEE arithmetic).
struct InvertedResidualFusion {
    /// The expansion (1×1, or SSDLite's 3×3/2 stem), or nil for a block whose depthwise convolution reads the input
    /// directly (the SSDLite box predictors). Expansion and projection run in float32 or, calibrated, in INT8.
    let expand: PointwiseStage?
    let depthwise: DepthwiseConvolution3x3
    let project: PointwiseStage
    /// The activation of the residual add `act(input + projection)`, or nil when the block has none.
    let residual: FusedActivation?
    /// Output rows per band.
    let bandRows: Int

    /// Whether the convolutions chain (the expansion's output map is the depthwise input, the projection a 1×1 stride-1
    /// unpadded convolution of the depthwise output) and, with a residual, whether the projection's output has the block
    /// input's shape. The expansion is usually 1×1; any ungrouped convolution chains (SSDLite's 3×3/2 stem, which then
    /// runs band by band with MobileNetV2's first block instead of writing its 150×150×32 map to memory).
    static func canChain(
        expand: TiledGEMMConvolution?, depthwise: DepthwiseConvolution3x3, project: TiledGEMMConvolution, residual: Bool
    ) -> Bool {
        canChain(expand: expand.map(PointwiseStage.tiled), depthwise: depthwise, project: .tiled(project), residual: residual)
    }

    /// ``canChain(expand:depthwise:project:residual:)`` for stages of any precision.
    static func canChain(expand: PointwiseStage?, depthwise: DepthwiseConvolution3x3, project: PointwiseStage, residual: Bool) -> Bool {
        let d = depthwise.geometry, p = project.geometry
        if let e = expand?.geometry, e.outputHeight != d.inputHeight || e.outputWidth != d.inputWidth || e.outputChannels != d.inputChannels {
            return false
        }
        guard project.isPointwise, p.inputHeight == d.outputHeight, p.inputWidth == d.outputWidth, p.inputChannels == d.outputChannels
        else { return false }
        if !residual { return true }
        // The block's input: the expansion's, or the depthwise convolution's.
        let source = expand?.geometry ?? d
        return source.inputHeight == p.outputHeight && source.inputWidth == p.outputWidth && source.inputChannels == p.outputChannels
    }

    /// Expanded floats a band aims at (512 KB, as ``PointwiseDepthwiseFusion``); bands have at least 4 output rows, so the
    /// rows kept from one band for the next are at most half of what it expands.
    static let bandFloats = 128 * 1024

    /// The block in float32.
    init(expand: TiledGEMMConvolution?, depthwise: DepthwiseConvolution3x3, project: TiledGEMMConvolution, residual: FusedActivation?) {
        self.init(expand: expand.map(PointwiseStage.tiled), depthwise: depthwise, project: .tiled(project), residual: residual)
    }

    init(expand: PointwiseStage?, depthwise: DepthwiseConvolution3x3, project: PointwiseStage, residual: FusedActivation?) {
        precondition(
            Self.canChain(expand: expand, depthwise: depthwise, project: project, residual: residual != nil),
            "InvertedResidualFusion: the layers do not chain")
        self.expand = expand
        self.depthwise = depthwise
        self.project = project
        self.residual = residual
        let d = depthwise.geometry
        let rowFloats = d.inputWidth * d.inputChannels
        let byCache = (Self.bandFloats / max(rowFloats, 1) - 2) / d.strideY
        bandRows = max(1, min(max(4, byCache), d.outputHeight))
    }

    /// Rows per claim on several threads: bands, but at most a quarter of the map, so the threads can even out. (An
    /// eighth, before: on the 19×19 blocks, claims of 3 rows each expanded 3 rows and moved 2 kept from the claim before;
    /// with 5-row claims `fused-block/19x19-64x6-s1@2` went from 158.5 / 162.2 to 142.8 / 141.5 µs, SSDLite at 2 threads
    /// from 5.665 to 5.545 ms, on the Intel Xeon of 2026-12-06.)
    private var claimRows: Int { max(1, min(bandRows, (depthwise.geometry.outputHeight + 3) / 4)) }

    /// Expanded input rows a band reads (stride·(rows − 1) + 3).
    private var bandInputRows: Int { depthwise.geometry.strideY * (bandRows - 1) + 3 }

    /// Floats of one worker's buffers: the expanded band (none without an expansion), then the depthwise band.
    private var workerFloats: Int {
        let d = depthwise.geometry
        let expanded = expand == nil ? 0 : bandInputRows * d.inputWidth * d.inputChannels
        return expanded + bandRows * d.outputWidth * d.outputChannels
    }

    /// Whether a pool of `threads` runs the block band by band. Each task expands the input rows it reads, so two tasks
    /// both expand the `3 − stride` rows around their boundary; on the smallest maps (SSDLite's 10×10 blocks at 2
    /// threads: 20 % of the expansion again) that costs more than the pool hand-offs it saves, and the maps fit in L2
    /// anyway. Those blocks run their kernels one after the other instead, each split across the pool. The 19×19
    /// blocks (11 % again) now run fused: on the Intel Xeon of 2026-12-05 that took SSDLite at 2 threads from 7.25 /
    /// 7.02 / 7.52 ms to 7.01 / 6.90 / 7.02 ms (three interleaved A/Bs; the bound was 16 rows per extra task, now 8).
    /// Blocks whose output rows do not split into near-equal shares (within 10 %) run unfused too: SSDLite's
    /// layer_19_2 block (10×10×1280 expanded, 5 output rows) at 2 threads went from 0.38 to 0.31 ms.
    /// One thread, and blocks without an expansion, always run fused.
    func runsFused(threads: Int) -> Bool {
        let d = depthwise.geometry
        let tasks = min(max(1, threads), d.outputHeight)
        guard tasks > 1, expand != nil else { return true }
        // Rows are claimed whole, so a task can end up to one row behind: on 5 output rows (SSDLite's layer_19_2 block
        // after its 10×10 1280-channel expansion) that is 20 % of the block on one thread.
        let rowsPerTask = (d.outputHeight + tasks - 1) / tasks
        return (tasks - 1) * (3 - d.strideY) * 8 <= d.inputHeight && rowsPerTask * tasks * 10 <= d.outputHeight * 11
    }

    /// Expanded maps up to this many floats (2 MB) are split by channels across threads (``splitsChannels(threads:)``).
    static let channelSplitFloats = 512 * 1024

    /// Whether a pool of `threads` splits a block that would run unfused (``runsFused(threads:)``: the 10×10 maps) by
    /// channels: each thread expands its share of the expansion's column panels over the whole map and runs the
    /// depthwise convolution on those channels (both go channel by channel), then the threads project and add the
    /// residual by rows — two parallel regions instead of four, and no expansion row computed twice. Needs float32
    /// stages on the AVX-512 kernels (whole 16-channel vectors per share) and an expanded map of at most 2 MB. On the
    /// Intel Xeon of 2026-12-06 at 2 threads: SSDLite's 10×10 blocks 0.338 / 0.334 / 0.459 → 0.298 / 0.289 / 0.421 ms;
    /// the fused 19×19 and 38×38 blocks were slower split this way (0.182 → 0.202–0.212 ms, 0.185 → 0.296 ms: their
    /// bands keep the maps in each core's cache), so they stay fused.
    ///
    /// Calibrated INT8 stages split the same way: each thread's depthwise share leaves its kernel as the projection's
    /// quantized input (``DepthwiseConvolution3x3/runRowsQuantized(_:input:output:quantization:channels:)``), as in a
    /// fused band, so no quantization pass runs. Before, at 2 threads such blocks ran their four kernels one after the
    /// other and took as long as on one thread (`int8-block/10x10-160x6-s1` 134.8 µs at 1 thread, 129.4 at 2).
    func splitsChannels(threads: Int) -> Bool {
        guard threads > 1, depthwise.usesAVX512, let expand, !runsFused(threads: threads) else { return false }
        let d = depthwise.geometry
        guard d.inputHeight * d.inputWidth * d.inputChannels <= Self.channelSplitFloats else { return false }
        switch (expand, project) {
        case (.tiled(let e), .tiled):
            return e.panelWidth % DepthwiseSpanAVX512.width == 0 && e.panels >= 2 * threads
        case (.int8(let e), .int8(let p)):
            return p.takesQuantizedInput && Int(SSDD_X86_PANEL) % DepthwiseSpanAVX512.width == 0 && e.panels.panelCount >= 2 * threads
        default:
            return false
        }
    }

    /// Floats of scratch ``run(input:output:scratch:pool:)`` needs on a pool of `threads`: per-worker bands, or the
    /// whole intermediate maps when the block does not run fused (``runsFused(threads:)``) or splits by channels.
    func scratchCount(threads: Int) -> Int {
        if runsFused(threads: threads) && !splitsChannels(threads: threads) { return max(1, threads) * workerFloats }
        let d = depthwise.geometry
        return (d.inputHeight * d.inputWidth + d.outputHeight * d.outputWidth) * d.inputChannels
    }

    /// Runs the block: `input` is the block's `[H, W, Cin]`, `output` its `[OH, OW, Cout]`.
    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let d = depthwise.geometry
        if splitsChannels(threads: pool.threadCount) {
            switch expand {
            case .tiled(let e)?: runByChannels(expand: e, input: input, output: output, scratch: scratch, pool: pool)
            case .int8(let e)?: runByChannelsQuantized(expand: e, input: input, output: output, scratch: scratch, pool: pool)
            case nil: preconditionFailure("InvertedResidualFusion: a block without an expansion does not split by channels")
            }
            return
        }
        if let expand, !runsFused(threads: pool.threadCount) {
            let expanded = scratch, filtered = scratch + d.inputHeight * d.inputWidth * d.inputChannels
            expand.run(input: input, output: expanded, pool: pool)
            depthwise.run(input: expanded, output: filtered, pool: pool)
            project.run(input: filtered, output: output, pool: pool)
            if let residual {
                Pointwise.add(
                    input, output, output, count: d.outputHeight * d.outputWidth * project.geometry.outputChannels, activation: residual, pool: pool)
            }
            return
        }
        let outputRows = d.outputHeight
        let perWorker = workerFloats
        // One task per thread, two per segment of rows: one takes its bands from the top, the other from the bottom
        // (``BandClaims``), so the threads balance band by band and recompute expansion rows only where they meet.
        let tasks = min(pool.threadCount, outputRows)
        let segments = (0..<((tasks + 1) / 2)).map { s in
            BandClaims((outputRows * 2 * s / tasks)..<(outputRows * min(tasks, 2 * s + 2) / tasks), bandRows: tasks == 1 ? bandRows : claimRows)
        }
        pool.runOnWorkers(tasks: tasks) { task, worker in
            let claims = segments[task / 2]
            let fromTop = task % 2 == 0
            rows(next: { fromTop ? claims.takeFront() : claims.takeBack() }, input: input, output: output, buffer: scratch + worker * perWorker)
        }
    }

    /// ``splitsChannels(threads:)``: expansion and depthwise by channel shares, then projection and residual by rows.
    private func runByChannels(
        expand e: TiledGEMMConvolution, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, pool: ComputePool
    ) {
        let d = depthwise.geometry
        let expanded = scratch, filtered = scratch + d.inputHeight * d.inputWidth * d.inputChannels
        let tasks = pool.threadCount
        pool.run(tasks: tasks) { task in
            let panels = (e.panels * task / tasks)..<(e.panels * (task + 1) / tasks)
            e.compute(rows: 0..<(d.inputHeight * d.inputWidth), panels: panels, input: input, output: expanded)
            let channels = (panels.lowerBound * e.panelWidth)..<min(d.inputChannels, panels.upperBound * e.panelWidth)
            depthwise.runRows(0..<d.outputHeight, input: expanded, output: filtered, channels: channels)
        }
        projectByRows(tileRows: GEMMPanelAVX512.tileRows, blockInput: input, output: output, pool: pool) { rows in
            project.compute(rows: rows, input: UnsafePointer(filtered), output: output)
        }
    }

    /// ``splitsChannels(threads:)`` with calibrated INT8 stages: each thread expands its share of the expansion's
    /// panels over the whole map and runs the depthwise convolution on those channels straight into the projection's
    /// quantized input; then the threads project and add the residual by rows.
    private func runByChannelsQuantized(
        expand e: Int8PointwiseConvolution, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, pool: ComputePool
    ) {
        guard case .int8(let p) = project, let calibration = p.calibration else {
            preconditionFailure("InvertedResidualFusion: the INT8 channel split needs a calibrated INT8 projection")
        }
        let d = depthwise.geometry
        let expanded = scratch
        let bytes = UnsafeMutableRawPointer(scratch + d.inputHeight * d.inputWidth * d.inputChannels).assumingMemoryBound(to: UInt8.self)
        let tasks = pool.threadCount, panelCount = e.panels.panelCount, width = Int(SSDD_X86_PANEL)
        pool.run(tasks: tasks) { task in
            let panels = (panelCount * task / tasks)..<(panelCount * (task + 1) / tasks)
            e.computeCalibrated(rows: 0..<(d.inputHeight * d.inputWidth), panels: panels, input: input, output: expanded)
            let channels = (panels.lowerBound * width)..<min(d.inputChannels, panels.upperBound * width)
            depthwise.runRowsQuantized(0..<d.outputHeight, input: expanded, output: bytes, quantization: calibration, channels: channels)
        }
        projectByRows(tileRows: p.kernel.tileRows, blockInput: input, output: output, pool: pool) { rows in
            p.computeQuantized(rows: rows, input: UnsafePointer(bytes), output: output)
        }
    }

    /// The second region of a channel split: `project(rows)` over the output pixels by rows across the pool (two parts
    /// per thread, in whole tiles of `tileRows`), each part followed by the residual add of its rows.
    private func projectByRows(
        tileRows: Int, blockInput: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ComputePool,
        _ project: (Range<Int>) -> Void
    ) {
        let d = depthwise.geometry
        let pixels = d.outputHeight * d.outputWidth
        let tiles = (pixels + tileRows - 1) / tileRows
        let parts = min(tiles, 2 * pool.threadCount)
        pool.run(tasks: parts) { part in
            let rows = (tiles * part / parts * tileRows)..<min(pixels, tiles * (part + 1) / parts * tileRows)
            if rows.isEmpty { return }
            project(rows)
            addResidual(rows, blockInput: blockInput, output: output)
        }
    }

    /// The residual add (if the block has one) of output pixels `pixels`: the block's input added into `output`.
    @inline(__always)
    private func addResidual(_ pixels: Range<Int>, blockInput: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        guard let residual else { return }
        let cout = project.geometry.outputChannels, offset = pixels.lowerBound * cout
        VectorPointwise.add(
            blockInput + offset, UnsafePointer(output + offset), output + offset, count: pixels.count * cout, activation: residual)
    }

    /// The output rows `next()` hands out, band by band.
    private func rows(
        next: () -> Range<Int>?, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, buffer: UnsafeMutablePointer<Float>
    ) {
        let d = depthwise.geometry
        if let expand {
            let depthwiseBuffer = buffer + bandInputRows * d.inputWidth * d.inputChannels
            PointwiseDepthwiseFusion.forEachBand(next: next, expand: expand, depthwise: d, input: input, buffer: buffer) {
                band, expanded in
                finish(band, depthwiseInput: expanded, blockInput: input, output: output, buffer: depthwiseBuffer)
            }
        } else {
            while let band = next() {
                finish(band, depthwiseInput: input, blockInput: input, output: output, buffer: buffer)
            }
        }
    }

    /// Depthwise rows `band` into `buffer`, then their projection into `output`, then the residual add.
    @inline(__always)
    private func finish(
        _ band: Range<Int>, depthwiseInput: UnsafePointer<Float>, blockInput: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        buffer: UnsafeMutablePointer<Float>
    ) {
        let d = depthwise.geometry
        let width = d.outputWidth
        let pixels = (band.lowerBound * width)..<(band.upperBound * width)
        if case .int8(let q) = project, let calibration = q.calibration, q.takesQuantizedInput, depthwise.usesAVX512 {
            // The depthwise outputs leave the kernel as the projection's quantized input (C bytes a pixel, in the band
            // buffer), so the projection skips its quantization pass over them: the same bytes, the same results.
            buffer.withMemoryRebound(to: UInt8.self, capacity: pixels.count * d.outputChannels) { band0 in
                let bytes = band0 - band.lowerBound * width * d.outputChannels
                depthwise.runRowsQuantized(band, input: depthwiseInput, output: bytes, quantization: calibration)
                q.computeQuantized(rows: pixels, input: UnsafePointer(bytes), output: output)
            }
        } else {
            // The buffer, seen as the whole depthwise output, starts at row band.lowerBound.
            let middle = buffer - band.lowerBound * width * d.outputChannels
            depthwise.runRows(band, input: depthwiseInput, output: middle)
            project.compute(rows: pixels, input: UnsafePointer(middle), output: output)
        }
        addResidual(pixels, blockInput: blockInput, output: output)
    }
}
