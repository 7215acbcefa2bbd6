/// Elementwise and per-pixel ops on raw buffers (used by compiled networks); ``Tensor`` wrappers are below.
public enum Pointwise {
    /// `y = act(x)`; `y` may equal `x`.
    public static func activate(
        _ activation: FusedActivation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
        algorithm: PointwiseAlgorithm = .vector, pool: ComputePool
    ) {
        switch algorithm {
        case .reference: ReferencePointwise.activate(activation, x, y, count: count)
        case .vector:
            pool.parallelRanges(count, minimumChunk: 1 << 14) { r in
                VectorPointwise.activate(x + r.lowerBound, y + r.lowerBound, count: r.count, activation: activation)
            }
        }
    }

    /// `y = act(a + b)`; `y` may equal `a` or `b`.
    public static func add(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
        activation: FusedActivation, algorithm: PointwiseAlgorithm = .vector, pool: ComputePool
    ) {
        switch algorithm {
        case .reference: ReferencePointwise.add(a, b, y, count: count, activation: activation)
        case .vector:
            pool.parallelRanges(count, minimumChunk: 1 << 14) { r in
                VectorPointwise.add(a + r.lowerBound, b + r.lowerBound, y + r.lowerBound, count: r.count, activation: activation)
            }
        }
    }

    /// Per pixel: `y = x / max(‖x‖₂, epsilon) · scale[c]` over `[pixels, channels]`.
    public static func l2Normalize(
        _ x: UnsafePointer<Float>, scale: UnsafePointer<Float>, epsilon: Float, _ y: UnsafeMutablePointer<Float>,
        pixels: Int, channels: Int, pool: ComputePool
    ) {
        pool.parallelRanges(pixels, minimumChunk: 64) { r in
            ReferencePointwise.l2Normalize(
                x + r.lowerBound * channels, scale: scale, epsilon: epsilon,
                y + r.lowerBound * channels, pixels: r.count, channels: channels)
        }
    }

    /// Concatenates `[pixels, C_i]` inputs along channels into `[pixels, ΣC_i]`.
    public static func concatenateChannels(
        _ inputs: [(pointer: UnsafePointer<Float>, channels: Int)], _ y: UnsafeMutablePointer<Float>, pixels: Int
    ) {
        ReferencePointwise.concatenateChannels(inputs, y, pixels: pixels)
    }
}
