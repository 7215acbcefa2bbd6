import TensorEngine

/// Sums gradients over several micro-batches and releases their mean every `steps` additions, so a small machine can
/// train with a large effective batch (Caffe's `iter_size`).
///
/// Each micro-batch loss is already normalised by its own matched-box count, so the mean of micro-batch gradients is
/// the gradient of the mean loss; with equal-sized micro-batches this matches one large batch up to that normalisation.
public struct GradientAccumulator: Sendable {
    /// Micro-batches per optimizer step (≥ 1).
    public let steps: Int
    private var sum: ParameterSet?
    private var count = 0

    public init(steps: Int) {
        precondition(steps >= 1, "GradientAccumulator: steps must be at least 1, got \(steps)")
        self.steps = steps
    }

    /// Micro-batches added since the last release.
    public var pending: Int { count }

    /// Adds one micro-batch's gradients; returns the mean once `steps` have been added (and starts over), else nil.
    public mutating func add(_ gradients: ParameterSet) -> ParameterSet? {
        if var total = sum {
            for name in gradients.orderedNames {
                guard total.contains(name) else {
                    total[name] = gradients[name]
                    continue
                }
                let g = gradients[name]!
                total.withMutableValues(of: name) { t in
                    g.withUnsafeBufferPointer { for i in 0..<t.count { t[i] += $0[i] } }
                }
            }
            sum = total
        } else {
            sum = gradients
        }
        count += 1
        guard count == steps, var mean = sum else { return nil }
        if steps > 1 {
            let scale = 1 / Float(steps)
            for name in mean.orderedNames { mean.withMutableValues(of: name) { for i in 0..<$0.count { $0[i] *= scale } } }
        }
        sum = nil
        count = 0
        return mean
    }
}
