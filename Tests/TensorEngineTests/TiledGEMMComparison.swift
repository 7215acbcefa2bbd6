import TestSupport

@testable import TensorEngine

/// Two tiled-GEMM convolutions of the same layer (e.g. on the AVX-512 and the 8-wide kernel) run over output pixels
/// `pixels` into NaN-filled maps: how many values differ bit for bit, and how many the first one wrote.
func compareTiledGEMM(
    _ first: TiledGEMMConvolution, _ second: TiledGEMMConvolution, input x: Tensor, pixels range: Range<Int>
) -> (differing: Int, written: Int) {
    let g = first.geometry
    let count = g.outputHeight * g.outputWidth * g.outputChannels
    var actual = [Float](repeating: .nan, count: count), expected = actual
    x.withUnsafeBufferPointer { input in
        actual.withUnsafeMutableBufferPointer {
            first.compute(rows: range, panels: 0..<first.panels, input: input.baseAddress!, output: $0.baseAddress!)
        }
        expected.withUnsafeMutableBufferPointer {
            second.compute(rows: range, panels: 0..<second.panels, input: input.baseAddress!, output: $0.baseAddress!)
        }
    }
    let differing = zip(actual, expected).filter { $0.0.bitPattern != $0.1.bitPattern }.count
    return (differing, actual.filter { !$0.isNaN }.count)
}
