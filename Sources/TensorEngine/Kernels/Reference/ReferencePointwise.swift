import Foundation

/// Plain kernels for the pointwise and per-pixel ops (activation, add, L2 normalisation, softmax, sigmoid, concat,
/// permute). They double as the production path where nothing faster pays.
enum ReferencePointwise {
    static func activate(_ a: FusedActivation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = a.apply(x[i]) }
    }

    static func add(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
        activation: FusedActivation
    ) {
        for i in 0..<count { y[i] = activation.apply(a[i] + b[i]) }
    }

    /// `y[p, c] = x[p, c] / max(‖x[p, :]‖₂, epsilon) · scale[c]` for every pixel p.
    static func l2Normalize(
        _ x: UnsafePointer<Float>, scale: UnsafePointer<Float>, epsilon: Float, _ y: UnsafeMutablePointer<Float>,
        pixels: Int, channels: Int
    ) {
        for p in 0..<pixels {
            let row = x + p * channels
            var sum: Float = 0
            for c in 0..<channels { sum += row[c] * row[c] }
            let inv = 1 / max(sum.squareRoot(), epsilon)
            for c in 0..<channels { y[p * channels + c] = row[c] * inv * scale[c] }
        }
    }

    /// Softmax over contiguous rows of length `width` (max-subtracted).
    static func softmax(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows {
            let src = x + r * width, dst = y + r * width
            var m = -Float.infinity
            for i in 0..<width { m = max(m, src[i]) }
            var sum: Float = 0
            for i in 0..<width {
                let e = Foundation.exp(src[i] - m)
                dst[i] = e
                sum += e
            }
            let inv = 1 / sum
            for i in 0..<width { dst[i] *= inv }
        }
    }

    static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = 1 / (1 + Foundation.exp(-x[i])) }
    }

    /// Concatenates `[P, C_i]` blocks along the channel axis into `[P, ΣC_i]`.
    static func concatenateChannels(
        _ inputs: [(pointer: UnsafePointer<Float>, channels: Int)], _ y: UnsafeMutablePointer<Float>, pixels: Int
    ) {
        let total = inputs.reduce(0) { $0 + $1.channels }
        var offset = 0
        for (pointer, channels) in inputs {
            for p in 0..<pixels {
                (y + p * total + offset).update(from: pointer + p * channels, count: channels)
            }
            offset += channels
        }
    }

    /// General axis permutation: output axis `i` is input axis `order[i]`.
    static func permute(_ x: UnsafePointer<Float>, shape: [Int], order: [Int], _ y: UnsafeMutablePointer<Float>) {
        let rank = shape.count
        var inStrides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { inStrides[axis] = inStrides[axis + 1] * shape[axis + 1] }
        let outShape = order.map { shape[$0] }
        let strides = order.map { inStrides[$0] }
        let count = shape.reduce(1, *)
        var index = [Int](repeating: 0, count: rank)
        var source = 0
        for o in 0..<count {
            y[o] = x[source]
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                source += strides[axis]
                if index[axis] < outShape[axis] { break }
                source -= strides[axis] * outShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
