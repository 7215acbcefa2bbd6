/// Ranges of the values a ``ModelManifest`` may state. Far above every model ssdd imports (SSD512: 512×512 input,
/// 7 levels of at most 64×64, 91 classes, 24,564 anchors) and far below what overflows or exhausts memory.
public enum ManifestLimits {
    /// Network input width and height in pixels.
    public static let inputSize = 1...4096
    /// Feature-map levels of the default boxes.
    public static let levels = 1...16
    /// Height or width of one feature map.
    public static let featureMapSize = 1...1024
    /// Aspect ratios per level.
    public static let aspectRatioCount = 0...16
    /// One aspect ratio (TF: a float; torchvision/Caffe: an integer r meaning r:1 and 1:r).
    public static let aspectRatio: ClosedRange<Float> = 0.01...100
    /// TF anchor scales and torchvision default-box scales, as fractions of the input.
    public static let scale: ClosedRange<Float> = 0.001...10
    /// Caffe prior min and max sizes in pixels.
    public static let caffeSize: ClosedRange<Float> = 1...16384
    /// Default-box steps in pixels.
    public static let step = 1...4096
    /// Preprocessing scale and offset.
    public static let affine: ClosedRange<Float> = -1e6...1e6
    /// Box-coding weights (divisors of the regressions).
    public static let boxCodingWeight: ClosedRange<Float> = 1e-6...1e6
    /// The clamp of the size terms before `exp` (torchvision: log(1000/16) ≈ 4.1); `exp(50)` is still finite.
    public static let sizeClamp: ClosedRange<Float> = 0...50
    /// Class slots, background included.
    public static let classes = 2...10_000
    /// Detections per image after merging classes.
    public static let maxDetections = 1...10_000
    /// Boxes NMS keeps per class.
    public static let maxPerClass = 1...10_000
    /// Candidates per class before NMS.
    public static let candidatesPerClass = 1...100_000
}

extension ModelManifest {
    /// Checks every value against ``ManifestLimits`` and the counts that must agree within the manifest (3 scales and
    /// offsets, 4 box-coding weights, one list per level); consistency with the graph is the detector's to check.
    ///
    /// - Parameter file: the model file, for the message.
    /// - Throws: ``ModelValidationError`` naming the first key at fault.
    public func validate(file: String) throws(ModelValidationError) {
        func fail(_ key: String, _ problem: String) -> ModelValidationError {
            ModelValidationError(file: file, key: key, problem: problem)
        }
        guard formatVersion == Self.currentFormatVersion else {
            throw fail("formatVersion", "must be \(Self.currentFormatVersion), got \(formatVersion); re-import the model")
        }
        try preprocessing.validate(file: file)
        try anchors.validate(file: file)
        guard boxCoding.weights.count == 4 else {
            throw fail("boxCoding.weights", "must hold 4 values, got \(boxCoding.weights.count)")
        }
        for (index, weight) in boxCoding.weights.enumerated() {
            try ModelValidationError.check(weight, finiteIn: ManifestLimits.boxCodingWeight, file: file, key: "boxCoding.weights[\(index)]")
        }
        if let clamp = boxCoding.sizeClamp {
            try ModelValidationError.check(clamp, finiteIn: ManifestLimits.sizeClamp, file: file, key: "boxCoding.sizeClamp")
        }
        let p = postprocessing
        try ModelValidationError.check(p.scoreThreshold, finiteIn: 0...1, file: file, key: "postprocessing.scoreThreshold")
        try ModelValidationError.check(p.iouThreshold, finiteIn: 0...1, file: file, key: "postprocessing.iouThreshold")
        if let candidates = p.candidatesPerClass {
            try ModelValidationError.check(
                candidates, in: ManifestLimits.candidatesPerClass, file: file, key: "postprocessing.candidatesPerClass")
        }
        if let perClass = p.maxPerClass {
            try ModelValidationError.check(perClass, in: ManifestLimits.maxPerClass, file: file, key: "postprocessing.maxPerClass")
        }
        try ModelValidationError.check(p.maxDetections, in: ManifestLimits.maxDetections, file: file, key: "postprocessing.maxDetections")
        guard ManifestLimits.classes.contains(labels.count) else {
            throw fail(
                "labels",
                "must name \(ManifestLimits.classes.lowerBound)...\(ManifestLimits.classes.upperBound) class slots "
                    + "(background first), got \(labels.count)")
        }
        guard ManifestLimits.levels.contains(heads.count) else {
            throw fail("heads", "must name \(ManifestLimits.levels.lowerBound)...\(ManifestLimits.levels.upperBound) levels, got \(heads.count)")
        }
    }
}

extension Preprocessing {
    fileprivate func validate(file: String) throws(ModelValidationError) {
        try ModelValidationError.check(inputWidth, in: ManifestLimits.inputSize, file: file, key: "preprocessing.inputWidth")
        try ModelValidationError.check(inputHeight, in: ManifestLimits.inputSize, file: file, key: "preprocessing.inputHeight")
        // OpenCV resizes the 8-bit pixels; the affine map (blobFromImage's mean and scale) can only come after it.
        guard !(resize == .openCVLinear && normalizeBeforeResize) else {
            throw ModelValidationError(
                file: file, key: "preprocessing.normalizeBeforeResize",
                problem: "must be false with resize openCVLinear (OpenCV resizes 8-bit pixels, then subtracts the mean and scales)")
        }
        for (name, values) in [("scale", scale), ("offset", offset)] {
            guard values.count == 3 else {
                throw ModelValidationError(
                    file: file, key: "preprocessing.\(name)",
                    problem: "must hold 3 values (R, G, B), got \(values.count)")
            }
            for (index, value) in values.enumerated() {
                try ModelValidationError.check(value, finiteIn: ManifestLimits.affine, file: file, key: "preprocessing.\(name)[\(index)]")
            }
        }
    }
}

extension AnchorConfiguration {
    fileprivate func validate(file: String) throws(ModelValidationError) {
        switch self {
        case .tensorFlowMultipleGrid(let p): try p.validate(file: file)
        case .ssdDefaultBoxes(let p): try p.validate(file: file)
        case .caffePriorBoxes(let levels): try CaffePriorBox.validate(levels, file: file)
        }
    }
}

extension TensorFlowAnchors {
    fileprivate func validate(file: String) throws(ModelValidationError) {
        try checkLevels(featureMapSizes.count, file: file)
        for (level, size) in featureMapSizes.enumerated() {
            guard size.count == 2 else {
                throw ModelValidationError(
                    file: file, key: "anchors.featureMapSizes[\(level)]", problem: "must be [height, width], got \(size)")
            }
            for (axis, value) in size.enumerated() {
                try ModelValidationError.check(
                    value, in: ManifestLimits.featureMapSize, file: file, key: "anchors.featureMapSizes[\(level)][\(axis)]")
            }
        }
        try ModelValidationError.check(minScale, finiteIn: ManifestLimits.scale, file: file, key: "anchors.minScale")
        try ModelValidationError.check(maxScale, finiteIn: ManifestLimits.scale, file: file, key: "anchors.maxScale")
        guard (1...ManifestLimits.aspectRatioCount.upperBound).contains(aspectRatios.count) else {
            throw ModelValidationError(
                file: file, key: "anchors.aspectRatios",
                problem: "must hold 1...\(ManifestLimits.aspectRatioCount.upperBound) ratios, got \(aspectRatios.count)")
        }
        for (index, ratio) in aspectRatios.enumerated() {
            try ModelValidationError.check(ratio, finiteIn: ManifestLimits.aspectRatio, file: file, key: "anchors.aspectRatios[\(index)]")
        }
        // 0 (or less) means no interpolated box; above that it is a ratio like any other.
        if !(interpolatedScaleAspectRatio <= 0) {
            try ModelValidationError.check(
                interpolatedScaleAspectRatio, finiteIn: ManifestLimits.aspectRatio, file: file,
                key: "anchors.interpolatedScaleAspectRatio")
        }
    }
}

extension DefaultBoxes {
    fileprivate func validate(file: String) throws(ModelValidationError) {
        guard flavor == "torchvision" || flavor == "caffe" else {
            throw ModelValidationError(file: file, key: "anchors.flavor", problem: "must be torchvision or caffe, got '\(flavor)'")
        }
        let levels = featureMapSizes.count
        try checkLevels(levels, file: file)
        for (level, size) in featureMapSizes.enumerated() {
            try ModelValidationError.check(size, in: ManifestLimits.featureMapSize, file: file, key: "anchors.featureMapSizes[\(level)]")
        }
        guard aspectRatios.count == levels else {
            throw ModelValidationError(
                file: file, key: "anchors.aspectRatios", problem: "must hold one list per level (\(levels)), got \(aspectRatios.count)")
        }
        for (level, ratios) in aspectRatios.enumerated() {
            try ModelValidationError.check(
                ratios.count, in: ManifestLimits.aspectRatioCount, file: file, key: "anchors.aspectRatios[\(level)].count")
            for (index, ratio) in ratios.enumerated() {
                try ModelValidationError.check(
                    ratio, in: 1...Int(ManifestLimits.aspectRatio.upperBound), file: file, key: "anchors.aspectRatios[\(level)][\(index)]")
            }
        }
        guard steps.count == levels else {
            throw ModelValidationError(file: file, key: "anchors.steps", problem: "must hold one step per level (\(levels)), got \(steps.count)")
        }
        for (level, step) in steps.enumerated() {
            try ModelValidationError.check(step, in: ManifestLimits.step, file: file, key: "anchors.steps[\(level)]")
        }
        let caffe = flavor == "caffe"
        let expected = caffe ? 2 * levels : levels + 1
        guard scales.count == expected else {
            let what = caffe ? "\(levels) min sizes then \(levels) max sizes" : "one scale per level and one more"
            throw ModelValidationError(
                file: file, key: "anchors.scales", problem: "must hold \(what) (\(expected) values), got \(scales.count)")
        }
        for (index, scale) in scales.enumerated() {
            try ModelValidationError.check(
                scale, finiteIn: caffe ? ManifestLimits.caffeSize : ManifestLimits.scale, file: file, key: "anchors.scales[\(index)]")
        }
    }
}

private func checkLevels(_ count: Int, file: String) throws(ModelValidationError) {
    guard ManifestLimits.levels.contains(count) else {
        throw ModelValidationError(
            file: file, key: "anchors.featureMapSizes",
            problem: "must hold \(ManifestLimits.levels.lowerBound)...\(ManifestLimits.levels.upperBound) levels, got \(count)")
    }
}
