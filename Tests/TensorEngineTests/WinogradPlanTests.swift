import TestSupport
import Testing

@testable import TensorEngine

/// How ``WinogradConvolution`` splits a layer's tiles into blocks for its threads, and that the split changes no bit.
@Suite("Winograd blocks per thread")
struct WinogradPlanTests {
    static func convolution(size: Int, cin: Int, cout: Int, seed: UInt64 = 81) -> WinogradConvolution {
        var rng = SplitMix64(seed: seed)
        let wt = Tensor.random(shape: [cout, cin, 3, 3], in: -0.5...0.5, using: &rng)
        let b = Tensor.random(shape: [cout], using: &rng)
        let g = ConvolutionGeometry(
            inputHeight: size, inputWidth: size, inputChannels: cin, outputChannels: cout, kernelHeight: 3, kernelWidth: 3,
            padding: .uniform(1))
        return wt.withUnsafeBufferPointer { w in
            b.withUnsafeBufferPointer { bias in
                WinogradConvolution(geometry: g, weights: w.baseAddress!, bias: bias.baseAddress!, activation: .relu)
            }
        }
    }

    /// SSD300's maps: where every thread can have blocks of its own of at least 96 tiles, each gets as many; smaller
    /// maps share their blocks; one thread keeps the blocks sized for the cache.
    @Test func everyThreadGetsAsManyWholeBlocks() {
        // 75×75, 256 channels (conv4 of VGG16 at 300×300): 361 tiles, was one shared pair of blocks on 2 threads.
        let conv4 = Self.convolution(size: 75, cin: 256, cout: 32).plan(threads: 2)
        #expect(conv4.tiles == 361 && conv4.blocks == 2 && conv4.blockTiles == 181 && !conv4.sharesBlocks)
        // 150×150, 128 channels: 1444 tiles, was 7 blocks (4 on one thread, 3 on the other).
        let conv3 = Self.convolution(size: 150, cin: 128, cout: 32).plan(threads: 2)
        #expect(conv3.tiles == 1444 && conv3.blocks == 8 && !conv3.sharesBlocks)
        // 38×38: 100 tiles, fewer than 96 per thread, so the threads share the one block.
        let conv5 = Self.convolution(size: 38, cin: 64, cout: 32).plan(threads: 2)
        #expect(conv5.tiles == 100 && conv5.blocks == 1 && conv5.sharesBlocks)
        // One thread: blocks as the cache wants them (240 tiles at most here).
        let single = Self.convolution(size: 150, cin: 128, cout: 32).plan(threads: 1)
        #expect(single.blocks == 7 && !single.sharesBlocks)
        for threads in 2...4 {
            for (size, cin) in [(60, 8), (75, 256), (150, 128), (300, 64), (38, 512), (19, 1024)] {
                let p = Self.convolution(size: size, cin: cin, cout: 16).plan(threads: threads)
                #expect(p.blocks * p.blockTiles >= p.tiles && (p.blocks - 1) * p.blockTiles < p.tiles, "\(size) \(threads)")
                if !p.sharesBlocks {
                    #expect(p.blockTiles >= WinogradConvolution.minimumBlockTiles, "\(size)×\(size), \(threads) threads")
                    #expect(p.blocks % threads == 0 || p.blocks >= 2 * threads, "\(size)×\(size), \(threads) threads")
                }
            }
        }
    }

    /// A layer that 2 threads split into a block each (225 tiles) gives the 1-thread results bit for bit.
    @Test func blocksPerThreadGiveTheSameBits() {
        let (size, cin, cout) = (60, 8, 40)
        let conv = Self.convolution(size: size, cin: cin, cout: cout)
        #expect(!conv.plan(threads: 2).sharesBlocks && conv.plan(threads: 2).blocks == 2)
        Self.expectSameBits(conv, size: size, cin: cin, cout: cout)
    }

    /// A 19×19 layer whose U (36 × 128 × 128 floats, 2.4 MB) is prefetched panel by panel: one block, which 2 and 3
    /// threads share, bit for bit as on 1.
    @Test func sharedBlockWithPrefetchedWeightsGivesTheSameBits() {
        let (size, cin, cout) = (19, 128, 128)
        let conv = Self.convolution(size: size, cin: cin, cout: cout)
        #expect(conv.transformed.count > TiledGEMMConvolution.largeWeightFloats && conv.plan(threads: 2).sharesBlocks)
        Self.expectSameBits(conv, size: size, cin: cin, cout: cout)
    }

    static func expectSameBits(_ conv: WinogradConvolution, size: Int, cin: Int, cout: Int) {
        var rng = SplitMix64(seed: 82)
        let x = Tensor.random(shape: [size, size, cin], using: &rng)
        func run(threads: Int) -> [Float] {
            let pool = ComputePool(threadCount: threads)
            let scratch = TensorStorage(count: conv.scratchCount(threads: threads))
            var y = Tensor(shape: [size, size, cout])
            x.withUnsafeBufferPointer { input in
                y.withUnsafeMutableBufferPointer { out in
                    conv.run(input: input.baseAddress!, output: out.baseAddress!, scratch: scratch.pointer, pool: pool)
                }
            }
            return y.values
        }
        let one = run(threads: 1), two = run(threads: 2), three = run(threads: 3)
        #expect(one.contains { $0 != 0 })
        #expect(zip(one, two).allSatisfy { $0.bitPattern == $1.bitPattern }, "2 threads differ from 1")
        #expect(zip(one, three).allSatisfy { $0.bitPattern == $1.bitPattern }, "3 threads differ from 1")
    }
}
