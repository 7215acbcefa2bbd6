/// SIMD loops for the memory-bound pointwise passes (bias + activation after SGEMM, residual add, activation).
///
/// Vectors are `SIMD4<Float>`: the package builds for baseline x86-64 (SSE2), where LLVM lowers `SIMD8<Float>` badly
/// (partly scalarised with shuffles), while `SIMD4<Float>` is one native register.
enum VectorPointwise {
    typealias V = SIMD4<Float>
    /// Lanes per vector.
    static let width = 4

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
