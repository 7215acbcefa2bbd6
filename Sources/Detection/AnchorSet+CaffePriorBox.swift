import ModelStore

extension AnchorSet {
    /// Caffe `PriorBox` layers as OpenCV DNN computes them (modules/dnn/src/layers/prior_box_layer.cpp), in float32:
    /// - box sizes per location, for each min size: `min × min`; `√(min·max)` squared when max sizes are given;
    ///   then per aspect ratio `r` (1 and near-duplicates within 1e-6 dropped, each followed by `1/r` when `flip`)
    ///   `min·√r × min/√r`. Sizes are not truncated to integers (weiliu89's Caffe truncates; OpenCV does not).
    /// - step: `step_w`/`step_h` when given, else input size / feature-map size (float); centres `(j + offset)·step`.
    /// - corners `(centre ∓ size·0.5) / input size`: normalised xyxy; all four clamped to [0, 1] when `clip`.
    /// - variances: one value for all four coordinates, or four.
    ///
    /// `img_size`/`img_w`/`img_h` are ignored, as OpenCV ignores them (it uses the network input size).
    static func caffePriorBoxes(_ levels: [CaffePriorBox], inputWidth: Int, inputHeight: Int) -> AnchorSet {
        var values: [Float] = []
        var variances: [Float] = []
        let imageWidth = Float(inputWidth)
        let imageHeight = Float(inputHeight)
        for level in levels {
            let sizes = level.openCVBoxSizes
            let stepX = level.stepWidth ?? imageWidth / Float(level.featureMapWidth)
            let stepY = level.stepHeight ?? imageHeight / Float(level.featureMapHeight)
            let variance: [Float] = level.variances.count == 4 ? level.variances : Array(repeating: level.variances.first ?? 0.1, count: 4)
            values.reserveCapacity(values.count + level.featureMapWidth * level.featureMapHeight * sizes.count * 4)
            for row in 0..<level.featureMapHeight {
                let cy = (Float(row) + level.offset) * stepY
                for column in 0..<level.featureMapWidth {
                    let cx = (Float(column) + level.offset) * stepX
                    for size in sizes {
                        var corners = [
                            (cx - size.width * 0.5) / imageWidth, (cy - size.height * 0.5) / imageHeight,
                            (cx + size.width * 0.5) / imageWidth, (cy + size.height * 0.5) / imageHeight,
                        ]
                        if level.clip { corners = corners.map { min(max($0, 0), 1) } }
                        values += corners
                        variances += variance
                    }
                }
            }
        }
        return AnchorSet(values: values, order: .xy, frameWidth: 1, frameHeight: 1, variances: variances)
    }
}

extension CaffePriorBox {
    /// Widths and heights of the priors at one location, in OpenCV's order and float arithmetic.
    var openCVBoxSizes: [(width: Float, height: Float)] {
        let ratios = expandedAspectRatios.dropFirst()  // 1 is the min-size box itself
        var sizes: [(width: Float, height: Float)] = []
        for (index, minSize) in minSizes.enumerated() {
            sizes.append((minSize, minSize))
            if index < maxSizes.count {
                let size = (minSize * maxSizes[index]).squareRoot()
                sizes.append((size, size))
            }
            for ratio in ratios {
                let root = ratio.squareRoot()
                sizes.append((minSize * root, minSize / root))
            }
        }
        return sizes
    }
}
