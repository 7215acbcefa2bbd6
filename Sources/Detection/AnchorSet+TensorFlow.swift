import Foundation
import ModelStore

extension AnchorSet {
    /// TF Object Detection API `ssd_anchor_generator` (MultipleGridAnchorGenerator), bit-exact in float32:
    /// scales `min + (max−min)·i/(L−1)` evaluated in double from the float32 config values; the lowest layer (when
    /// reduced) has (0.1, 1), (s0, 2), (s0, 0.5); other layers one box per ratio then the interpolated
    /// sqrt(s_i·s_{i+1}) box; centres (i + 0.5)/grid; order (level, row, column, box); not clipped.
    static func tensorFlow(_ p: TensorFlowAnchors) throws(DetectionError) -> AnchorSet {
        let levels = p.featureMapSizes.count
        guard levels >= 1, p.featureMapSizes.allSatisfy({ $0.count == 2 && $0[0] > 0 && $0[1] > 0 }) else {
            throw DetectionError.unsupportedAnchors("feature map sizes \(p.featureMapSizes)")
        }
        let minScale = Double(p.minScale)
        let maxScale = Double(p.maxScale)
        var scales: [Double] = (0..<levels).map { i in
            levels == 1 ? minScale : minScale + (maxScale - minScale) * Double(i) / Double(levels - 1)
        }
        scales.append(1.0)
        var values: [Float] = []
        for level in 0..<levels {
            var specs: [(scale: Float, ratio: Float)] = []
            if level == 0 && p.reduceBoxesInLowestLayer {
                specs = [(0.1, 1.0), (Float(scales[0]), 2.0), (Float(scales[0]), 0.5)]
            } else {
                specs = p.aspectRatios.map { (Float(scales[level]), $0) }
                if p.interpolatedScaleAspectRatio > 0 {
                    specs.append((Float((scales[level] * scales[level + 1]).squareRoot()), p.interpolatedScaleAspectRatio))
                }
            }
            let rows = p.featureMapSizes[level][0]
            let columns = p.featureMapSizes[level][1]
            let strideY = Float(1) / Float(rows)
            let strideX = Float(1) / Float(columns)
            let offsetY = 0.5 * strideY
            let offsetX = 0.5 * strideX
            let sizes = specs.map { spec -> (h: Float, w: Float) in
                let root = spec.ratio.squareRoot()
                return (spec.scale / root, spec.scale * root)
            }
            for row in 0..<rows {
                let cy = Float(row) * strideY + offsetY
                for column in 0..<columns {
                    let cx = Float(column) * strideX + offsetX
                    for size in sizes {
                        values += [cy - 0.5 * size.h, cx - 0.5 * size.w, cy + 0.5 * size.h, cx + 0.5 * size.w]
                    }
                }
            }
        }
        return AnchorSet(values: values, order: .yx, frameWidth: 1, frameHeight: 1)
    }
}
