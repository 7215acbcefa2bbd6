/// SIMD loops for the memory-bound pointwise passes (bias + activation after SGEMM, residual add, activation), and the
/// vector type every fast kernel uses.
///
/// With `SSDD_AVX2` (release builds target Haswell: AVX2 + FMA, see Package.swift) vectors are `SIMD8<Float>`, one ymm
/// register, and ``madd(_:_:_:)`` is one `vfmadd231ps`; with `SSDD_AVX512` (`SSDD_AVX512=1` builds) `SIMD16<Float>`, one
/// zmm register (twice the FMA throughput on Zen 5 and Intel server cores). In portable builds (baseline x86-64, SSE2) vectors are
/// `SIMD4<Float>`, because LLVM lowers `SIMD8<Float>` badly there, and ``madd(_:_:_:)`` is a multiply and an add
/// (`addingProduct` would become a libm `fmaf` call per lane).
enum VectorPointwise {
    #if SSDD_AVX512
    typealias V = SIMD16<Float>
    /// Lanes per vector.
    static let width = 16
    #elseif SSDD_AVX2
    typealias V = SIMD8<Float>
    /// Lanes per vector.
    static let width = 8
    #else
    typealias V = SIMD4<Float>
    /// Lanes per vector.
    static let width = 4
    #endif

    /// `acc + a·b` (fused on AVX2 builds).
    @inline(__always)
    static func madd(_ acc: V, _ a: V, _ b: V) -> V {
        #if SSDD_AVX2 || SSDD_AVX512
        acc.addingProduct(a, b)
        #else
        acc + a * b
        #endif
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    // The stdlib's `pointwiseMax/Min` follow IEEE maxNum NaN rules and compile to scalar code with branches;
    // compare-and-select compiles to two vector instructions per half.
    @inline(__always)
    static func activate(_ v: V, _ a: FusedActivation) -> V {
        switch a {
        case .none: return v
        case .relu: return v.replacing(with: 0, where: v .< 0)
        case .relu6:
            let low = v.replacing(with: 0, where: v .< 0)
            return low.replacing(with: 6, where: low .> 6)
        }
    }

    /// The activation as clamp bounds `(low, high)` for ``clamp(_:_:_:)`` (±infinity where it has no bound), so a hot loop
    /// applies it without a branch.
    @inline(__always)
    static func bounds(_ a: FusedActivation) -> (low: V, high: V) {
        let (low, high) = a.clampBounds
        return (V(repeating: low), V(repeating: high))
    }

    /// `v` clamped to `[low, high]` by compare-and-select; with ``bounds(_:)`` the same values as ``activate(_:_:)``
    /// (a NaN lane stays NaN). Written lane by lane, LLVM makes one vmaxps and one vminps of it everywhere; the
    /// `replacing(with:where:)` form became vcmpltps + vblendvps twice in the depthwise loop.
    @_transparent
    static func clamp(_ v: V, _ low: V, _ high: V) -> V {
        var r = v
        for i in 0..<width {
            let x = v[i] < low[i] ? low[i] : v[i]
            r[i] = high[i] < x ? high[i] : x
        }
        return r
    }

    /// Lane-wise maximum by compare-and-select (no NaN special cases).
    @inline(__always)
    static func maximum(_ a: V, _ b: V) -> V { a.replacing(with: b, where: b .> a) }

    /// In place on `[pixels, channels]` rows: `y = act(y + bias[c])` (bias optional).
    static func biasActivate(
        _ y: UnsafeMutablePointer<Float>, pixels: Int, channels: Int, bias: UnsafePointer<Float>?, activation: FusedActivation
    ) {
        if bias == nil && activation == .none { return }
        let vectorEnd = channels & ~(width - 1)
        for p in 0..<pixels {
            let row = y + p * channels
            var c = 0
            while c < vectorEnd {
                var v = load(row + c)
                if let bias { v += load(bias + c) }
                store(activate(v, activation), row + c)
                c += width
            }
            while c < channels {
                row[c] = activation.apply(row[c] + (bias?[c] ?? 0))
                c += 1
            }
        }
    }

    /// Fills `[pixels, channels]` rows with `bias` (the SGEMM then accumulates with beta = 1).
    static func fillRows(_ y: UnsafeMutablePointer<Float>, pixels: Int, channels: Int, bias: UnsafePointer<Float>) {
        for p in 0..<pixels { (y + p * channels).update(from: bias, count: channels) }
    }

    /// `y[i] = act(a[i] + b[i])`.
    static func add(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
        activation: FusedActivation
    ) {
        var i = 0
        let vectorEnd = count & ~(width - 1)
        while i < vectorEnd {
            store(activate(load(a + i) + load(b + i), activation), y + i)
            i += width
        }
        while i < count {
            y[i] = activation.apply(a[i] + b[i])
            i += 1
        }
    }

    /// `y[i] = act(x[i])`.
    static func activate(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, activation: FusedActivation) {
        var i = 0
        let vectorEnd = count & ~(width - 1)
        while i < vectorEnd {
            store(activate(load(x + i), activation), y + i)
            i += width
        }
        while i < count {
            y[i] = activation.apply(x[i])
            i += 1
        }
    }
}
