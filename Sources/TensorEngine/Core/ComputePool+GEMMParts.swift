extension ComputePool {
    /// Runs `work(rows, panels)` over a GEMM output of `rows` rows and `panels` column panels, in parts across the pool
    /// (the tiled GEMM's and the INT8 window convolution's split):
    ///
    /// - whole, on the caller, on one thread or below ~256K `multiplyAccumulates` (a hand-over to another thread costs
    ///   more than it saves);
    /// - else by rows, in whole register tiles of `tileRows`, up to four parts per thread of at least two tiles each,
    ///   claimed dynamically, where there are enough tiles — unless the weights are beyond L2 and outnumber the rows
    ///   (`weightsOutweigh`: a split by rows would stream all of them through every core) and there are panels enough;
    /// - else by column panels (the 10×10 … 1×1 maps), in groups of `panelGroup` (the register tile's width in panels),
    ///   up to four parts per thread.
    func runRowsOrPanels(
        rows: Int, tileRows mr: Int, panels: Int, panelGroup: Int = 1, multiplyAccumulates: Int, weightsOutweigh: Bool,
        _ work: (_ rows: Range<Int>, _ panels: Range<Int>) -> Void
    ) {
        let threads = threadCount
        if threads == 1 || multiplyAccumulates < 1 << 18 {
            work(0..<rows, 0..<panels)
            return
        }
        let tiles = (rows + mr - 1) / mr, groups = (panels + panelGroup - 1) / panelGroup
        if (tiles >= 4 * threads && !(weightsOutweigh && groups >= 4 * threads / panelGroup)) || groups < 2 {
            let parts = max(1, min(4 * threads, tiles / 2))
            run(tasks: parts) { i in
                let first = tiles * i / parts * mr, end = min(rows, tiles * (i + 1) / parts * mr)
                if first < end { work(first..<end, 0..<panels) }
            }
        } else {
            let parts = min(4 * threads, groups)
            run(tasks: parts) { i in
                let first = groups * i / parts * panelGroup, end = min(panels, groups * (i + 1) / parts * panelGroup)
                if first < end { work(0..<rows, first..<end) }
            }
        }
    }
}
