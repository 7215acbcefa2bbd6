import Foundation
import ModelStore

extension AnchorSet {
    /// torchvision `DefaultBoxGenerator`: per location (s, s), (s′, s′), then (s·√r, s/√r), (s/√r, s·√r) per ratio,
    /// sizes computed in double and stored float32; centres (j + 0.5)/(size/step) in float32; w/h clamped to [0, 1]
    /// when `clip`; converted to pixel xyxy in the input frame.
    static func torchvision(_ p: DefaultBoxes, inputWidth: Int, inputHeight: Int) throws(DetectionError) -> AnchorSet {
        let levels = p.featureMapSizes.count
        guard p.aspectRatios.count == levels, p.steps.count == levels, p.scales.count == levels + 1 else {
            throw DetectionError.unsupportedAnchors("torchvision default boxes need \(levels) ratio lists and steps and \(levels + 1) scales")
        }
        var values: [Float] = []
        let frameX = Float(inputWidth)
        let frameY = Float(inputHeight)
        for level in 0..<levels {
            // torchvision computes the sizes from the Python (double) scales of its config; the manifest stores them
            // as Float, so recover the shortest decimal (0.15, not 0.1500000059…) before widening.
            let s = Double("\(p.scales[level])")!
            let next = Double("\(p.scales[level + 1])")!
            var pairs: [(w: Float, h: Float)] = [(Float(s), Float(s)), (Float((s * next).squareRoot()), Float((s * next).squareRoot()))]
            for ratio in p.aspectRatios[level] {
                let root = Double(ratio).squareRoot()
                pairs += [(Float(s * root), Float(s / root)), (Float(s / root), Float(s * root))]
            }
            if p.clip { pairs = pairs.map { (min(max($0.w, 0), 1), min(max($0.h, 0), 1)) } }
            let size = p.featureMapSizes[level]
            let cellsX = Float(Double(inputWidth) / Double(p.steps[level]))
            let cellsY = Float(Double(inputHeight) / Double(p.steps[level]))
            for row in 0..<size {
                let cy = (Float(row) + 0.5) / cellsY
                for column in 0..<size {
                    let cx = (Float(column) + 0.5) / cellsX
                    for pair in pairs {
                        values += [
                            (cx - 0.5 * pair.w) * frameX, (cy - 0.5 * pair.h) * frameY,
                            (cx + 0.5 * pair.w) * frameX, (cy + 0.5 * pair.h) * frameY,
                        ]
                    }
                }
            }
        }
        return AnchorSet(values: values, order: .xy, frameWidth: frameX, frameHeight: frameY)
    }

    /// Caffe `PriorBox` (weiliu89/caffe): `scales` holds the min sizes then the max sizes in pixels (truncated to int as
    /// Caffe does); centres (j + 0.5)·step; order [min, √(min·max), r, 1/r …]; normalised xyxy; corners clipped if `clip`.
    static func caffe(_ p: DefaultBoxes, inputWidth: Int, inputHeight: Int) throws(DetectionError) -> AnchorSet {
        let levels = p.featureMapSizes.count
        guard p.aspectRatios.count == levels, p.steps.count == levels, p.scales.count == 2 * levels else {
            throw DetectionError.unsupportedAnchors("Caffe priors need \(levels) ratio lists and steps and \(2 * levels) sizes (min then max)")
        }
        var values: [Float] = []
        let width = Double(inputWidth)
        let height = Double(inputHeight)
        for level in 0..<levels {
            let minSize = Float(Int(p.scales[level]))
            let maxSize = Float(Int(p.scales[levels + level]))
            var boxes: [(w: Float, h: Float)] = [
                (minSize, minSize),
                (Float((Double(minSize) * Double(maxSize)).squareRoot()), Float((Double(minSize) * Double(maxSize)).squareRoot())),
            ]
            for ratio in p.aspectRatios[level] {
                for r in [Float(ratio), 1 / Float(ratio)] {
                    boxes.append((minSize * r.squareRoot(), minSize / r.squareRoot()))
                }
            }
            let step = Float(p.steps[level])
            let size = p.featureMapSizes[level]
            for row in 0..<size {
                let cy = (Float(row) + 0.5) * step
                for column in 0..<size {
                    let cx = (Float(column) + 0.5) * step
                    for box in boxes {
                        var corners = [
                            Float((Double(cx) - Double(box.w) / 2) / width), Float((Double(cy) - Double(box.h) / 2) / height),
                            Float((Double(cx) + Double(box.w) / 2) / width), Float((Double(cy) + Double(box.h) / 2) / height),
                        ]
                        if p.clip { corners = corners.map { min(max($0, 0), 1) } }
                        values += corners
                    }
                }
            }
        }
        return AnchorSet(values: values, order: .xy, frameWidth: 1, frameHeight: 1)
    }
}
