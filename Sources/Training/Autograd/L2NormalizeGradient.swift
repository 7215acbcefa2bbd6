/// SSD's L2Norm for one NHWC image: `y[p, c] = s[c] · x[p, c] / n_p` with `n_p = max(‖x[p, :]‖₂, ε)` (torchvision's
/// `F.normalize` placement of ε), and its gradients.
///
/// With `u = x / n`: `∂L/∂s[c] = Σ_p g[p, c] · u[p, c]`; when `‖x‖ > ε`,
/// `∂L/∂x = (s ⊙ g − u · ⟨s ⊙ g, u⟩) / n`; when the norm is clamped, `∂L/∂x = s ⊙ g / ε`.
enum L2NormalizeGradient {
    static func forward(
        _ x: UnsafePointer<Float>, scale: UnsafePointer<Float>, epsilon: Float, _ y: UnsafeMutablePointer<Float>,
        pixels: Int, channels: Int
    ) {
        for p in 0..<pixels {
            let row = x + p * channels, out = y + p * channels
            let inverse = 1 / max(norm(row, channels), epsilon)
            for c in 0..<channels { out[c] = row[c] * inverse * scale[c] }
        }
    }

    static func backward(
        x: UnsafePointer<Float>, scale: UnsafePointer<Float>, epsilon: Float, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dScale: UnsafeMutablePointer<Float>, pixels: Int, channels: Int
    ) {
        for p in 0..<pixels {
            let row = x + p * channels, gradient = dy + p * channels
            let length = norm(row, channels)
            let n = max(length, epsilon)
            let inverse = 1 / n
            var dot: Float = 0
            for c in 0..<channels {
                let u = row[c] * inverse
                dScale[c] += gradient[c] * u
                dot += scale[c] * gradient[c] * u
            }
            guard let dx else { continue }
            let target = dx + p * channels
            let clamped = length <= epsilon
            for c in 0..<channels {
                let sg = scale[c] * gradient[c]
                target[c] += clamped ? sg * inverse : (sg - row[c] * inverse * dot) * inverse
            }
        }
    }

    @inline(__always)
    private static func norm(_ row: UnsafePointer<Float>, _ channels: Int) -> Float {
        var sum: Float = 0
        for c in 0..<channels { sum += row[c] * row[c] }
        return sum.squareRoot()
    }
}
