import Detection
import Foundation
import ModelStore

/// Encodes ground-truth boxes against anchors: the exact inverse of Detection's ``BoxDecoder``.
///
/// With corners (g0, g1, g2, g3) and anchor (a0, a1, a2, a3) in the model's coordinate order, `size = c2 − c0`,
/// `centre = c0 + size/2`, codes `t0 = w0·(gc0 − ac0)/as0`, `t2 = w2·ln(gs0/as0)` (and the same for axis 1). This is
/// torchvision's `BoxCoder.encode_single` for (10, 10, 5, 5) in x-first order and TF's `FasterRcnnBoxCoder.encode` in
/// y-first order, where TF adds EPSILON = 1e-8 to every size before dividing (ssd.md §3).
public struct BoxEncoder: Sendable {
    public let coding: BoxCoding
    /// Added to anchor and box sizes (1e-8 for TF's y-first coder, 0 otherwise).
    public let epsilon: Float

    public init(_ coding: BoxCoding) throws(DetectionError) {
        guard coding.weights.count == 4, coding.weights.allSatisfy({ $0 > 0 }) else {
            throw DetectionError.invalidModel("box coder weights must be 4 positive numbers, got \(coding.weights)")
        }
        self.coding = coding
        epsilon = coding.order == .yx ? 1e-8 : 0
    }

    /// The 4 codes of `box` against `anchor` (both corners in the anchors' frame and order).
    public func encode(_ box: (Float, Float, Float, Float), anchor: (Float, Float, Float, Float)) -> (Float, Float, Float, Float) {
        let w = coding.weights
        let as0 = anchor.2 - anchor.0 + epsilon, as1 = anchor.3 - anchor.1 + epsilon
        let ac0 = anchor.0 + 0.5 * (anchor.2 - anchor.0), ac1 = anchor.1 + 0.5 * (anchor.3 - anchor.1)
        let gs0 = box.2 - box.0 + epsilon, gs1 = box.3 - box.1 + epsilon
        let gc0 = box.0 + 0.5 * (box.2 - box.0), gc1 = box.1 + 0.5 * (box.3 - box.1)
        return (w[0] * (gc0 - ac0) / as0, w[1] * (gc1 - ac1) / as1, w[2] * Foundation.log(gs0 / as0), w[3] * Foundation.log(gs1 / as1))
    }
}
