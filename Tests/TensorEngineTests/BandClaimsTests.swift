import Synchronization
import TestSupport
import Testing

@testable import TensorEngine

/// Bands claimed from both ends of a fused block's rows: every row exactly once, and walking the bands bottom-up (the
/// second thread's direction, with the shared expanded rows moved down instead of recomputed) gives the same bits as
/// walking them top-down.
@Suite("Band claims of the fused blocks")
struct BandClaimsTests {
    final class Taken: Sendable {
        let bands = Mutex<[Range<Int>]>([])
    }

    @Test func twoThreadsFromBothEndsClaimEveryRowOnce() async {
        for (rows, bandRows) in [(0..<75, 10), (3..<4, 5), (0..<0, 2), (10..<150, 7), (0..<19, 3)] {
            let claims = BandClaims(rows, bandRows: bandRows)
            let taken = Taken()
            await withTaskGroup(of: Void.self) { group in
                for fromTop in [true, false] {
                    group.addTask {
                        var last: Range<Int>?
                        while let band = fromTop ? claims.takeFront() : claims.takeBack() {
                            #expect(!band.isEmpty && band.count <= bandRows)
                            // Each direction walks contiguously: down from the top, up from the bottom.
                            if let last { #expect(fromTop ? band.lowerBound == last.upperBound : band.upperBound == last.lowerBound) }
                            last = band
                            taken.bands.withLock { $0.append(band) }
                        }
                    }
                }
            }
            let covered = taken.bands.withLock { $0 }.flatMap { Array($0) }.sorted()
            #expect(covered == Array(rows), "\(rows) by \(bandRows)")
        }
    }

    @Test(arguments: [1, 2])
    func bottomUpBandsEqualTopDown(stride: Int) {
        let (h, w, cin, c) = (23, 9, 8, 32)
        var rng = SplitMix64(seed: 41)
        let x = Tensor.random(shape: [h, w, cin], using: &rng)
        let w1 = Tensor.random(shape: [c, cin, 1, 1], in: -0.5...0.5, using: &rng)
        let w2 = Tensor.random(shape: [c, 1, 3, 3], in: -0.5...0.5, using: &rng)
        let expand = w1.withUnsafeBufferPointer {
            TiledGEMMConvolution(
                geometry: ConvolutionGeometry(inputHeight: h, inputWidth: w, inputChannels: cin, outputChannels: c, kernelHeight: 1, kernelWidth: 1),
                weights: $0.baseAddress!, bias: nil, activation: .relu6)
        }
        let g = ConvolutionGeometry(
            inputHeight: h, inputWidth: w, inputChannels: c, outputChannels: c, kernelHeight: 3, kernelWidth: 3, strideY: stride,
            strideX: stride, groups: c, padding: .uniform(1))
        let depthwise = w2.withUnsafeBufferPointer {
            DepthwiseConvolution3x3(geometry: g, weights: $0.baseAddress!, bias: nil, activation: .relu6)
        }
        let bandRows = 3
        // Top-down by range, bottom-up by claims, and both ends alternately from one walker (a seam in the middle).
        var outputs: [[Float]] = []
        for order in 0..<3 {
            let claims = BandClaims(0..<g.outputHeight, bandRows: bandRows)
            var turn = 0
            let buffer = TensorStorage(count: (stride * (bandRows - 1) + 3) * w * c)
            var y = [Float](repeating: .nan, count: g.outputHeight * g.outputWidth * c)
            x.withUnsafeBufferPointer { input in
                y.withUnsafeMutableBufferPointer { out in
                    let body: (Range<Int>, UnsafePointer<Float>) -> Void = { band, expanded in
                        depthwise.runRows(band, input: expanded, output: out.baseAddress!)
                    }
                    if order == 0 {
                        PointwiseDepthwiseFusion.forEachBand(
                            0..<g.outputHeight, bandRows: bandRows, expand: .tiled(expand), depthwise: g, input: input.baseAddress!,
                            buffer: buffer.pointer, body)
                    } else {
                        PointwiseDepthwiseFusion.forEachBand(
                            next: {
                                turn += 1
                                return order == 1 || turn % 2 == 0 ? claims.takeBack() : claims.takeFront()
                            }, expand: .tiled(expand), depthwise: g, input: input.baseAddress!, buffer: buffer.pointer, body)
                    }
                }
            }
            outputs.append(y)
        }
        for order in 1..<3 {
            let differing = zip(outputs[order], outputs[0]).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            #expect(differing == 0, "stride \(stride), order \(order): \(differing) values differ")
        }
        let unwritten = outputs[0].filter(\.isNaN).count
        #expect(unwritten == 0)
    }
}
