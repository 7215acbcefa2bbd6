extension CaffePriorBox {
    /// Caffe's aspect-ratio list: 1 first, then each given ratio unless within 1e-6 of one already listed, followed
    /// by its reciprocal when `flip` (PriorBoxLayer::LayerSetUp; the reciprocal computed in double, as OpenCV does).
    public var expandedAspectRatios: [Float] {
        var ratios: [Float] = [1]
        for ratio in aspectRatios where !ratios.contains(where: { abs($0 - ratio) < 1e-6 }) {
            ratios.append(ratio)
            if flip { ratios.append(Float(1 / Double(ratio))) }
        }
        return ratios
    }

    /// Priors per feature-map location: every ratio per min size, plus one per max size.
    public var priorsPerLocation: Int { expandedAspectRatios.count * minSizes.count + maxSizes.count }

    /// Checks the levels of a ``AnchorConfiguration/caffePriorBoxes(_:)`` configuration against ``ManifestLimits``.
    static func validate(_ levels: [CaffePriorBox], file: String) throws(ModelValidationError) {
        guard ManifestLimits.levels.contains(levels.count) else {
            throw ModelValidationError(
                file: file, key: "anchors",
                problem: "must hold \(ManifestLimits.levels.lowerBound)...\(ManifestLimits.levels.upperBound) levels, got \(levels.count)")
        }
        for (level, prior) in levels.enumerated() { try prior.validate(file: file, key: "anchors[\(level)]") }
    }

    private func validate(file: String, key: String) throws(ModelValidationError) {
        func fail(_ name: String, _ problem: String) -> ModelValidationError {
            ModelValidationError(file: file, key: "\(key).\(name)", problem: problem)
        }
        try ModelValidationError.check(featureMapWidth, in: ManifestLimits.featureMapSize, file: file, key: "\(key).featureMapWidth")
        try ModelValidationError.check(featureMapHeight, in: ManifestLimits.featureMapSize, file: file, key: "\(key).featureMapHeight")
        guard (1...ManifestLimits.aspectRatioCount.upperBound).contains(minSizes.count) else {
            throw fail("minSizes", "must hold 1...\(ManifestLimits.aspectRatioCount.upperBound) sizes, got \(minSizes.count)")
        }
        guard maxSizes.isEmpty || maxSizes.count == minSizes.count else {
            throw fail("maxSizes", "must be empty or hold one size per min size (\(minSizes.count)), got \(maxSizes.count)")
        }
        for (index, size) in (minSizes + maxSizes).enumerated() {
            try ModelValidationError.check(size, finiteIn: ManifestLimits.caffeSize, file: file, key: "\(key).sizes[\(index)]")
        }
        for (index, pair) in zip(minSizes, maxSizes).enumerated() where !(pair.1 > pair.0) {
            throw fail("maxSizes[\(index)]", "must be greater than minSizes[\(index)] (\(pair.0)), got \(pair.1)")
        }
        try ModelValidationError.check(aspectRatios.count, in: ManifestLimits.aspectRatioCount, file: file, key: "\(key).aspectRatios.count")
        for (index, ratio) in aspectRatios.enumerated() {
            try ModelValidationError.check(ratio, finiteIn: ManifestLimits.aspectRatio, file: file, key: "\(key).aspectRatios[\(index)]")
        }
        guard variances.count == 1 || variances.count == 4 else {
            throw fail("variances", "must hold 1 or 4 values, got \(variances.count)")
        }
        for (index, variance) in variances.enumerated() {
            try ModelValidationError.check(variance, finiteIn: 1e-6...1e6, file: file, key: "\(key).variances[\(index)]")
        }
        for (name, size) in [("imageWidth", imageWidth), ("imageHeight", imageHeight)] {
            if let size { try ModelValidationError.check(size, in: ManifestLimits.inputSize, file: file, key: "\(key).\(name)") }
        }
        for (name, step) in [("stepWidth", stepWidth), ("stepHeight", stepHeight)] {
            if let step { try ModelValidationError.check(step, finiteIn: 1e-3...4096, file: file, key: "\(key).\(name)") }
        }
        try ModelValidationError.check(offset, finiteIn: 0...1, file: file, key: "\(key).offset")
    }
}
