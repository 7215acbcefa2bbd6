import Foundation
import ModelStore

/// Decodes SSD box regressions against anchors (torchvision `BoxCoder`, Caffe CENTER_SIZE, TF `FasterRcnnBoxCoder`).
///
/// The three are one formula in two coordinate orders: with corners (a0, a1, a2, a3) and codes (t0, t1, t2, t3) in
/// the same order, `size = a2 − a0`, `centre = a0 + size/2`, `centre' = t0/w0 · size + centre`,
/// `size' = exp(min(t2/w2, clamp)) · size`, corners `centre' ∓ size'/2`. Output keeps the anchors' order and frame.
///
/// Caffe priors (``AnchorSet/variances`` set) are decoded as OpenCV's `DecodeBBox` does: each code is multiplied by
/// its prior's variance (`t·v`, not `t/w`, which can differ in the last bit), unless the weights are all 1, which
/// means `variance_encoded_in_target` (codes used as they are).
public struct BoxDecoder: Sendable {
    public let coding: BoxCoding

    public init(_ coding: BoxCoding) throws(DetectionError) {
        guard coding.weights.count == 4, coding.weights.allSatisfy({ $0 > 0 }) else {
            throw DetectionError.invalidModel("box coder weights must be 4 positive numbers, got \(coding.weights)")
        }
        self.coding = coding
    }

    /// Decodes `regressions` (`count × 4`) against `anchors`; returns `count × 4` corners.
    public func decode(_ regressions: [Float], anchors: AnchorSet) throws(DetectionError) -> [Float] {
        guard regressions.count == anchors.values.count else {
            throw DetectionError.outputMismatch("\(regressions.count / 4) box regressions for \(anchors.count) anchors")
        }
        if let variances = anchors.variances {
            guard variances.count == anchors.values.count else {
                throw DetectionError.outputMismatch("\(variances.count / 4) prior variances for \(anchors.count) priors")
            }
            return decodeCaffe(regressions, anchors: anchors, variances: coding.weights.allSatisfy { $0 == 1 } ? nil : variances)
        }
        let w = coding.weights
        let clamp = coding.sizeClamp ?? .infinity
        var boxes = [Float](repeating: 0, count: regressions.count)
        regressions.withUnsafeBufferPointer { t in
            anchors.values.withUnsafeBufferPointer { a in
                boxes.withUnsafeMutableBufferPointer { out in
                    for i in stride(from: 0, to: t.count, by: 4) {
                        let size0 = a[i + 2] - a[i]
                        let size1 = a[i + 3] - a[i + 1]
                        let centre0 = a[i] + size0 / 2
                        let centre1 = a[i + 1] + size1 / 2
                        let d0 = t[i] / w[0]
                        let d1 = t[i + 1] / w[1]
                        let d2 = min(t[i + 2] / w[2], clamp)
                        let d3 = min(t[i + 3] / w[3], clamp)
                        let new0 = d0 * size0 + centre0
                        let new1 = d1 * size1 + centre1
                        let newSize0 = Foundation.exp(d2) * size0
                        let newSize1 = Foundation.exp(d3) * size1
                        out[i] = new0 - newSize0 / 2
                        out[i + 1] = new1 - newSize1 / 2
                        out[i + 2] = new0 + newSize0 / 2
                        out[i + 3] = new1 + newSize1 / 2
                    }
                }
            }
        }
        return boxes
    }

    /// OpenCV `DecodeBBox` (CENTER_SIZE, normalised): codes times the prior's variances (or as they are when nil),
    /// `size = max − min`, `centre = min + size·0.5`, `centre' = c·size + centre`, `size' = exp(c)·size`, no clamp.
    private func decodeCaffe(_ regressions: [Float], anchors: AnchorSet, variances: [Float]?) -> [Float] {
        var boxes = [Float](repeating: 0, count: regressions.count)
        let clamp = coding.sizeClamp ?? .infinity
        regressions.withUnsafeBufferPointer { t in
            anchors.values.withUnsafeBufferPointer { a in
                boxes.withUnsafeMutableBufferPointer { out in
                    for i in stride(from: 0, to: t.count, by: 4) {
                        var codes = (t[i], t[i + 1], t[i + 2], t[i + 3])
                        if let v = variances { codes = (v[i] * codes.0, v[i + 1] * codes.1, v[i + 2] * codes.2, v[i + 3] * codes.3) }
                        let width = a[i + 2] - a[i]
                        let height = a[i + 3] - a[i + 1]
                        let centreX = a[i] + width * 0.5
                        let centreY = a[i + 1] + height * 0.5
                        let newX = codes.0 * width + centreX
                        let newY = codes.1 * height + centreY
                        let newWidth = Foundation.exp(min(codes.2, clamp)) * width
                        let newHeight = Foundation.exp(min(codes.3, clamp)) * height
                        out[i] = newX - newWidth * 0.5
                        out[i + 1] = newY - newHeight * 0.5
                        out[i + 2] = newX + newWidth * 0.5
                        out[i + 3] = newY + newHeight * 0.5
                    }
                }
            }
        }
        return boxes
    }
}
