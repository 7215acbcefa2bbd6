import TensorEngine

/// Converts between the graph's per-level head outputs and the per-image anchor-major vectors the objective uses.
///
/// The graph outputs come in pairs per level, `[N, H, W, A·4]` box regressions then `[N, H, W, A·K]` class logits
/// (ModelManifest `heads` order). Flattening image by image and level by level gives (level, y, x, anchor) order with 4
/// or K values per anchor — `Detector.rawOutputs` for a batch.
struct HeadLayout {
    /// Per-image element counts of each graph output.
    let outputSizes: [Int]
    let levels: Int

    init(outputShapes: [[Int]]) {
        outputSizes = outputShapes.map { $0.reduce(1, *) }
        levels = outputShapes.count / 2
    }

    /// `batch × anchors × 4` regressions and `batch × anchors × K` logits.
    func flatten(_ outputs: [Tensor], batch: Int) -> (regressions: [Float], logits: [Float]) {
        var regressions: [Float] = [], logits: [Float] = []
        let values = outputs.map(\.values)
        for image in 0..<batch {
            for level in 0..<levels {
                let box = 2 * level, cls = 2 * level + 1
                regressions += values[box][(image * outputSizes[box])..<((image + 1) * outputSizes[box])]
                logits += values[cls][(image * outputSizes[cls])..<((image + 1) * outputSizes[cls])]
            }
        }
        return (regressions, logits)
    }

    /// The inverse of ``flatten(_:batch:)`` for gradients: one `[N, H, W, C]` tensor per graph output.
    func unflatten(regressions: [Float], logits: [Float], batch: Int, outputShapes: [[Int]]) -> [Tensor] {
        var buffers = outputSizes.map { [Float](repeating: 0, count: batch * $0) }
        var r = 0, l = 0
        for image in 0..<batch {
            for level in 0..<levels {
                let box = 2 * level, cls = 2 * level + 1
                buffers[box].replaceSubrange(
                    (image * outputSizes[box])..<((image + 1) * outputSizes[box]), with: regressions[r..<(r + outputSizes[box])])
                buffers[cls].replaceSubrange((image * outputSizes[cls])..<((image + 1) * outputSizes[cls]), with: logits[l..<(l + outputSizes[cls])])
                r += outputSizes[box]
                l += outputSizes[cls]
            }
        }
        return zip(buffers, outputShapes).map { Tensor(shape: [batch] + $1, values: $0) }
    }
}
