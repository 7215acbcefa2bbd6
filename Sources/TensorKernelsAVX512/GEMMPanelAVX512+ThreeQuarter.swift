import TensorKernelsX86

extension GEMMPanelAVX512 {
    typealias Half = SIMD8<Float>

    /// ``multiplyPanel(_:lda:rows:depth:_:bias:low:high:_:ldc:cols:)`` for a panel of 17…24 real columns (SSDLite's
    /// 24-channel projections, the box predictors' 24): a zmm and a ymm vector per row, three quarters of the full tile's
    /// arithmetic instead of all of it, the same sums in the same order (bit-identical results).
    public static func multiplyThreeQuarterPanel(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, depth: Int, _ b: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        low: Float, high: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int
    ) {
        let start = (load(bias), UnsafeRawPointer(bias + 16).loadUnaligned(as: Half.self))
        let bounds = (V(repeating: low), V(repeating: high))
        var r = 0
        while r < rows {
            threeQuarterTile(
                a + r * lda, lda: lda, rows: min(tileRows, rows - r), depth: depth, b, c + r * ldc, ldc: ldc, cols: cols,
                start: start, bounds: bounds)
            r += tileRows
        }
    }

    /// One tile of at most 8 rows × 24 columns; missing rows repeat the last real one (their sums are not stored).
    @inline(__always)
    static func threeQuarterTile(
        _ a: UnsafePointer<Float>, lda: Int, rows: Int, depth: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int, start: (V, Half), bounds: (low: V, high: V)
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
        for k in 0..<depth {
            let b0 = load(bp), b1 = UnsafeRawPointer(bp + 16).loadUnaligned(as: Half.self)
            var x = V(repeating: a0[k])
            c00 = c00.addingProduct(x, b0)
            c01 = c01.addingProduct(x.lowHalf, b1)
            x = V(repeating: a1[k])
            c10 = c10.addingProduct(x, b0)
            c11 = c11.addingProduct(x.lowHalf, b1)
            x = V(repeating: a2[k])
            c20 = c20.addingProduct(x, b0)
            c21 = c21.addingProduct(x.lowHalf, b1)
            x = V(repeating: a3[k])
            c30 = c30.addingProduct(x, b0)
            c31 = c31.addingProduct(x.lowHalf, b1)
            x = V(repeating: a4[k])
            c40 = c40.addingProduct(x, b0)
            c41 = c41.addingProduct(x.lowHalf, b1)
            x = V(repeating: a5[k])
            c50 = c50.addingProduct(x, b0)
            c51 = c51.addingProduct(x.lowHalf, b1)
            x = V(repeating: a6[k])
            c60 = c60.addingProduct(x, b0)
            c61 = c61.addingProduct(x.lowHalf, b1)
            x = V(repeating: a7[k])
            c70 = c70.addingProduct(x, b0)
            c71 = c71.addingProduct(x.lowHalf, b1)
            bp += 32
        }
        let (low, high) = bounds
        let (lowHalf, highHalf) = (low.lowHalf, high.lowHalf)
        (c00, c10, c20, c30) = (clamp(c00, low, high), clamp(c10, low, high), clamp(c20, low, high), clamp(c30, low, high))
        (c40, c50, c60, c70) = (clamp(c40, low, high), clamp(c50, low, high), clamp(c60, low, high), clamp(c70, low, high))
        (c01, c11, c21, c31) = (
            clamp(c01, lowHalf, highHalf), clamp(c11, lowHalf, highHalf), clamp(c21, lowHalf, highHalf), clamp(c31, lowHalf, highHalf)
        )
        (c41, c51, c61, c71) = (
            clamp(c41, lowHalf, highHalf), clamp(c51, lowHalf, highHalf), clamp(c61, lowHalf, highHalf), clamp(c71, lowHalf, highHalf)
        )
        storeThreeQuarterRow(c00, c01, c, cols: cols)
        if rows > 1 { storeThreeQuarterRow(c10, c11, c + ldc, cols: cols) }
        if rows > 2 { storeThreeQuarterRow(c20, c21, c + 2 * ldc, cols: cols) }
        if rows > 3 { storeThreeQuarterRow(c30, c31, c + 3 * ldc, cols: cols) }
        if rows > 4 { storeThreeQuarterRow(c40, c41, c + 4 * ldc, cols: cols) }
        if rows > 5 { storeThreeQuarterRow(c50, c51, c + 5 * ldc, cols: cols) }
        if rows > 6 { storeThreeQuarterRow(c60, c61, c + 6 * ldc, cols: cols) }
        if rows > 7 { storeThreeQuarterRow(c70, c71, c + 7 * ldc, cols: cols) }
    }

    /// ``clamp(_:_:_:)`` on an 8-lane vector: one vmaxps and one vminps.
    @_transparent
    static func clamp(_ v: Half, _ low: Half, _ high: Half) -> Half { ssdd_clamp8(v, low, high) }

    @inline(__always)
    static func storeThreeQuarterRow(_ v0: V, _ v1: Half, _ p: UnsafeMutablePointer<Float>, cols: Int) {
        UnsafeMutableRawPointer(p).storeBytes(of: v0, as: V.self)
        if cols == 24 {
            UnsafeMutableRawPointer(p + 16).storeBytes(of: v1, as: Half.self)
            return
        }
        var j = 16
        if cols - j >= 4 {
            UnsafeMutableRawPointer(p + j).storeBytes(of: v1.lowHalf, as: SIMD4<Float>.self)
            j += 4
        }
        while j < cols {
            p[j] = v1[j - 16]
            j += 1
        }
    }
}
