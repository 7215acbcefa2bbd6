/// The tile transforms of Winograd F(4×4, 3×3) on zmm registers, 16 channels per vector: `Bᵀ d B` of a 6×6 input patch
/// and `act(Aᵀ M A + bias)` of a 6×6 product tile. The operations are those of the engine's 8-wide transforms
/// (`TensorEngine.WinogradConvolution`), lane for lane in the same order (the same fused multiply-adds where it fuses,
/// separate multiplies and adds where it does not), so the results are bit-identical.
public enum WinogradTransformsAVX512 {
    typealias V = SIMD16<Float>

    /// Channels per vector; the channel ranges given must be multiples of it.
    public static let width = 16

    /// `out[ξ][c] = (Bᵀ d B)[ξ][c]` for `c` in `0..<channels`, `d` the 6×6 patch whose pixel `(r, j)` starts at
    /// `patch + r·rowStep + j·columnStep`, all inside the input.
    ///
    /// - Parameters:
    ///   - out: the tile's row of V, `[36][stride]`: position ξ's channels start at `out + ξ·stride`.
    ///   - channels: a multiple of 16.
    /// - Important: call only on a CPU with AVX-512 F; the pointers must be valid for the stated extents.
    public static func transformInput(
        _ patch: UnsafePointer<Float>, rowStep: Int, columnStep: Int, channels: Int, _ out: UnsafeMutablePointer<Float>, stride: Int
    ) {
        withUnsafeTemporaryAllocation(of: V.self, capacity: 36) { temp in
            let t = temp.baseAddress!
            var c = 0
            while c < channels {
                // Columns: t[·][j] = Bᵀ d[·][j].
                for j in 0..<6 {
                    let p = patch + j * columnStep + c
                    let (b0, b1, b2, b3, b4, b5) = inputRows(
                        load(p), load(p + rowStep), load(p + 2 * rowStep), load(p + 3 * rowStep), load(p + 4 * rowStep),
                        load(p + 5 * rowStep))
                    t[j] = b0
                    t[6 + j] = b1
                    t[12 + j] = b2
                    t[18 + j] = b3
                    t[24 + j] = b4
                    t[30 + j] = b5
                }
                // Rows: V[i][·] = t[i][·] B.
                for r in 0..<6 {
                    let row = t + 6 * r
                    let (b0, b1, b2, b3, b4, b5) = inputRows(row[0], row[1], row[2], row[3], row[4], row[5])
                    let o = out + (6 * r) * stride + c
                    store(b0, o)
                    store(b1, o + stride)
                    store(b2, o + 2 * stride)
                    store(b3, o + 3 * stride)
                    store(b4, o + 4 * stride)
                    store(b5, o + 5 * stride)
                }
                c += width
            }
        }
    }

    /// `y = clamp((Aᵀ M A)[r][j] + bias)` for the tile's first `rows` × `columns` outputs and channels `0..<channels`:
    /// position ξ of `M` starts at `m + ξ·stride`; output `(r, j)` goes to `out + r·rowStep + j·columnStep`.
    ///
    /// - Important: call only on a CPU with AVX-512 F; `channels` is a multiple of 16; the pointers must be valid for the
    ///   stated extents.
    public static func transformOutput(
        _ m: UnsafePointer<Float>, stride: Int, bias: UnsafePointer<Float>, low: Float, high: Float, channels: Int,
        rows: Int, columns: Int, _ out: UnsafeMutablePointer<Float>, rowStep: Int, columnStep: Int
    ) {
        let lowV = V(repeating: low), highV = V(repeating: high)
        withUnsafeTemporaryAllocation(of: V.self, capacity: 24) { temp in
            let t = temp.baseAddress!
            var k = 0
            while k < channels {
                // Columns: t[·][j] = Aᵀ M[·][j].
                for j in 0..<6 {
                    let s = m + j * stride + k
                    let (a0, a1, a2, a3) = outputRows(
                        load(s), load(s + 6 * stride), load(s + 12 * stride), load(s + 18 * stride), load(s + 24 * stride),
                        load(s + 30 * stride))
                    t[j] = a0
                    t[6 + j] = a1
                    t[12 + j] = a2
                    t[18 + j] = a3
                }
                let b = load(bias + k)
                // Rows: Y[r][·] = t[r][·] A.
                for r in 0..<rows {
                    let row = t + 6 * r
                    let (y0, y1, y2, y3) = outputRows(row[0], row[1], row[2], row[3], row[4], row[5])
                    let o = out + r * rowStep + k
                    store(GEMMPanelAVX512.clamp(y0 + b, lowV, highV), o)
                    if columns > 1 { store(GEMMPanelAVX512.clamp(y1 + b, lowV, highV), o + columnStep) }
                    if columns > 2 { store(GEMMPanelAVX512.clamp(y2 + b, lowV, highV), o + 2 * columnStep) }
                    if columns > 3 { store(GEMMPanelAVX512.clamp(y3 + b, lowV, highV), o + 3 * columnStep) }
                }
                k += width
            }
        }
    }

    /// `Bᵀ x` for the points 0, ±1, ±2, ∞ (the 8-wide `inputRows`, operation for operation).
    @inline(__always)
    static func inputRows(_ d0: V, _ d1: V, _ d2: V, _ d3: V, _ d4: V, _ d5: V) -> (V, V, V, V, V, V) {
        let four = V(repeating: 4), five = V(repeating: 5), two = V(repeating: 2)
        let e0 = d4.addingProduct(four, d0) - five * d2
        let p1 = d4 - four * d2, q1 = d3 - four * d1
        let p3 = d4 - d2, q3 = two * (d3 - d1)
        let e5 = d5.addingProduct(four, d1) - five * d3
        return (e0, p1 + q1, p1 - q1, p3 + q3, p3 - q3, e5)
    }

    /// `Aᵀ x` for the points 0, ±1, ±2, ∞ (the 8-wide `outputRows`, operation for operation).
    @inline(__always)
    static func outputRows(_ m0: V, _ m1: V, _ m2: V, _ m3: V, _ m4: V, _ m5: V) -> (V, V, V, V) {
        let s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4
        let two = V(repeating: 2), four = V(repeating: 4), eight = V(repeating: 8)
        return (m0 + s12 + s34, d12.addingProduct(two, d34), s12.addingProduct(four, s34), d12.addingProduct(eight, d34) + m5)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
}
