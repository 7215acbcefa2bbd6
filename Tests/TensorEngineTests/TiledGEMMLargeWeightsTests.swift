import TestSupport
import Testing

@testable import TensorEngine
@testable import TensorKernelsAVX512

/// How ``TiledGEMMConvolution`` walks weights too large to stay in L2 (SSD300's deep layers on its small maps): larger
/// chunks of rows, and a split by column panels across threads; neither changes a bit.
@Suite("Tiled GEMM with large weights")
struct TiledGEMMLargeWeightsTests {
    /// Small weights keep 96 KB chunks (capped at 240 rows); large ones take 512 KB chunks (capped at 512 rows).
    @Test func chunksGrowWithTheWeights() {
        // SSDLite's 10×10 expansion, 160 × 960 (0.6 MB): 24K floats of rows, in whole 8-row tiles.
        #expect(TiledGEMMConvolution.chunkRows(depth: 160, columns: 960, tileRows: 8) == 152)
        #expect(TiledGEMMConvolution.chunkRows(depth: 16, columns: 96, tileRows: 8) == 240)
        // SSD300's 3×3/2 layer on the 10×10 map, 2304 × 512 (4.7 MB): was 8 rows a chunk, 13 sweeps of the weights.
        #expect(TiledGEMMConvolution.chunkRows(depth: 2304, columns: 512, tileRows: 8) == 56)
        #expect(TiledGEMMConvolution.chunkRows(depth: 64, columns: 16384, tileRows: 8) == 512)
        #expect(TiledGEMMConvolution.chunkRows(depth: 1 << 20, columns: 1, tileRows: 8) == 8)
    }

    /// The next panel's lines are shared out over a panel's tiles in order, covering its `2 · depth` lines exactly once.
    @Test(arguments: [(1, 7), (8, 512), (9, 512), (25, 512), (100, 2304), (3, 1)])
    func prefetchSharesCoverTheNextPanel(rows: Int, depth: Int) {
        let panel = [Float](repeating: 0, count: depth * 32)
        panel.withUnsafeBufferPointer { next in
            var shares = GEMMPanelAVX512.PrefetchShares(next.baseAddress!, depth: depth, rows: rows)
            var covered = 0
            for _ in 0..<((rows + 7) / 8) {
                let (start, count) = shares.take()
                if count > 0 { #expect(start == next.baseAddress! + 16 * covered && count <= 2 * depth) }
                covered += count
            }
            #expect(covered == 2 * depth, "rows \(rows) depth \(depth)")
            #expect(shares.take().1 == 0)
        }
        var none = GEMMPanelAVX512.PrefetchShares(nil, depth: depth, rows: rows)
        #expect(none.take().0 == nil)
    }

    /// A 1×1 layer of 1024 → 600 channels on a 10×10 map (2.4 MB of weights, more columns than rows): 2 and 3 threads
    /// split it by panels and give the 1-thread results bit for bit, which match the reference convolution.
    @Test func panelSplitGivesTheSameBits() {
        let (size, cin, cout) = (10, 1024, 600)
        var rng = SplitMix64(seed: 91)
        let wt = Tensor.random(shape: [cout, cin, 1, 1], in: -0.1...0.1, using: &rng)
        let b = Tensor.random(shape: [cout], using: &rng)
        let x = Tensor.random(shape: [size, size, cin], using: &rng)
        let g = ConvolutionGeometry(
            inputHeight: size, inputWidth: size, inputChannels: cin, outputChannels: cout, kernelHeight: 1, kernelWidth: 1)
        let conv = wt.withUnsafeBufferPointer { w in
            b.withUnsafeBufferPointer { bias in
                TiledGEMMConvolution(geometry: g, weights: w.baseAddress!, bias: bias.baseAddress!, activation: .relu6)
            }
        }
        #expect(cin * cout > TiledGEMMConvolution.largeWeightFloats && conv.chunkRows >= size * size)
        func run(threads: Int) -> [Float] {
            let pool = ComputePool(threadCount: threads)
            var y = Tensor(shape: [size, size, cout])
            x.withUnsafeBufferPointer { input in
                y.withUnsafeMutableBufferPointer { conv.run(input: input.baseAddress!, output: $0.baseAddress!, pool: pool) }
            }
            return y.values
        }
        let one = run(threads: 1), two = run(threads: 2), three = run(threads: 3)
        #expect(zip(one, two).allSatisfy { $0.bitPattern == $1.bitPattern }, "2 threads differ from 1")
        #expect(zip(one, three).allSatisfy { $0.bitPattern == $1.bitPattern }, "3 threads differ from 1")
        var expected = [Float](repeating: 0, count: size * size * cout)
        x.withUnsafeBufferPointer { input in
            wt.withUnsafeBufferPointer { w in
                b.withUnsafeBufferPointer { bias in
                    expected.withUnsafeMutableBufferPointer {
                        ReferenceConvolution.run(
                            g, input: input.baseAddress!, weights: w.baseAddress!, bias: bias.baseAddress!, activation: .relu6,
                            output: $0.baseAddress!)
                    }
                }
            }
        }
        let worst = zip(one, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-4, "max |Δ| from the reference \(worst)")
        #expect(one.contains { $0 > 0 && $0 < 6 })
    }
}
