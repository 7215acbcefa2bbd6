import Detection
import ModelStore

/// The preprocessing and anchor lines of `ssdd model info`, after the file summary.
enum ModelInfoDetails {
    static func lines(_ manifest: ModelManifest) -> [String] {
        let p = manifest.preprocessing
        let order = p.channelOrder ?? .rgb
        let sameScale = Set(p.scale).count == 1
        // y = x·scale + offset = (x − mean)·scale with mean = −offset/scale.
        let mean = zip(p.offset, p.scale).map { $1 == 0 ? 0 : -$0 / $1 }
        let affine =
            sameScale
            ? "(x − [\(mean.map(format).joined(separator: ", "))]) × \(format(p.scale[0]))"
            : "x × [\(p.scale.map(format).joined(separator: ", "))] + [\(p.offset.map(format).joined(separator: ", "))]"
        var result = [
            "preprocessing: \(order.rawValue.uppercased()), \(affine) per channel (\(order.rawValue)), resize \(p.resize.rawValue)"
                + (p.normalizeBeforeResize ? " after normalising" : "")
        ]
        let perLocation = AnchorSet.boxesPerLocation(manifest.anchors)
        switch manifest.anchors {
        case .caffePriorBoxes(let levels):
            let maps = levels.map { "\($0.featureMapHeight)x\($0.featureMapWidth)" }.joined(separator: ", ")
            result.append(
                "anchors:      Caffe PriorBox, \(levels.count) levels (maps \(maps)), priors per location "
                    + "\(perLocation.map(String.init).joined(separator: ", "))")
        case .ssdDefaultBoxes(let boxes):
            result.append(
                "anchors:      \(boxes.flavor) default boxes, \(boxes.featureMapSizes.count) levels, per location "
                    + "\(perLocation.map(String.init).joined(separator: ", "))")
        case .tensorFlowMultipleGrid(let grid):
            result.append(
                "anchors:      TF multiple grid, \(grid.featureMapSizes.count) levels, per location "
                    + "\(perLocation.map(String.init).joined(separator: ", "))")
        }
        return result
    }

    private static func format(_ value: Float) -> String {
        value == value.rounded() && abs(value) < 1e6 ? String(Int(value)) : "\(value)"
    }
}
