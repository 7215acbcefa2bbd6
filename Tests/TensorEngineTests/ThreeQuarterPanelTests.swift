import TestSupport
import Testing

@testable import TensorEngine

/// On AVX-512, a last weight panel of 17…24 real columns (SSDLite's 24-channel projections) runs on a zmm + ymm tile;
/// its results equal the 8-wide kernel's bit for bit, and nothing past the layer's columns or the asked pixels is written.
@Suite("AVX-512 tile of 24 columns")
struct ThreeQuarterPanelTests {
    @Test(
        .enabled(if: GEMMKernel.available.contains(.avx512), "no AVX-512 on this CPU"),
        arguments: [
            // (h, w, cin, cout, activation): 24 and 17…23 columns alone, after one and two full panels, odd pixel counts.
            (75, 7, 96, 24, FusedActivation.none), (5, 5, 144, 24, .relu6), (3, 7, 16, 17, .relu), (9, 3, 24, 20, .relu6),
            (4, 5, 40, 23, .none), (6, 7, 32, 56, .relu6), (3, 3, 8, 88, .none),
        ])
    func equalsTheVectorKernel(_ c: (Int, Int, Int, Int, FusedActivation)) {
        let (h, w, cin, cout, activation) = c
        var rng = SplitMix64(seed: 31)
        let x = Tensor.random(shape: [h, w, cin], in: -4...4, using: &rng)
        let wt = Tensor.random(shape: [cout, cin, 1, 1], in: -0.5...0.5, using: &rng)
        let b = Tensor.random(shape: [cout], using: &rng)
        let g = ConvolutionGeometry(inputHeight: h, inputWidth: w, inputChannels: cin, outputChannels: cout, kernelHeight: 1, kernelWidth: 1)
        let (wide, narrow) = wt.withUnsafeBufferPointer { wp in
            b.withUnsafeBufferPointer { bp in
                (
                    TiledGEMMConvolution(
                        geometry: g, weights: wp.baseAddress!, bias: bp.baseAddress!, activation: activation, kernel: .avx512),
                    TiledGEMMConvolution(
                        geometry: g, weights: wp.baseAddress!, bias: bp.baseAddress!, activation: activation, kernel: .vector)
                )
            }
        }
        let pixels = h * w
        for range in [0..<pixels, (pixels / 3 + 1)..<(pixels * 2 / 3 + 2), 1..<max(1, pixels - 1)] where !range.isEmpty {
            let (differing, written) = compareTiledGEMM(wide, narrow, input: x, pixels: range)
            #expect(differing == 0, "\(h)x\(w)x\(cin) → \(cout) \(activation), pixels \(range): \(differing) values differ")
            #expect(written == range.count * cout, "\(h)x\(w)x\(cin) → \(cout), pixels \(range): \(written) values written")
        }
    }
}
