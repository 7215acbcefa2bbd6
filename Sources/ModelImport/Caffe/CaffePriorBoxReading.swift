import ModelStore

/// Reads a `prior_box_param` into a ``ModelStore/CaffePriorBox``, checking what the prototxt states; the anchors
/// themselves are generated at run time from these values (Detection's AnchorSet), exactly as OpenCV's PriorBox does.
enum CaffePriorBoxReading {
    /// Largest min/max size, image size or step accepted, in pixels.
    static let maximumPixels: Float = 65_536

    static func priorBox(
        _ p: Caffe_PriorBoxParameter, featureMapHeight: Int, featureMapWidth: Int, fail: (String) -> ModelImportError
    ) throws -> CaffePriorBox {
        func positive(_ values: [Float], _ name: String) throws {
            for value in values where !(value.isFinite && value > 0 && value <= maximumPixels) {
                throw fail("\(name) \(value) must be finite and in (0, \(maximumPixels)]")
            }
        }
        guard !p.minSize.isEmpty, p.minSize.count <= 16 else {
            throw fail("min_size must be given 1 to 16 times, found \(p.minSize.count)")
        }
        try positive(p.minSize, "min_size")
        guard p.maxSize.isEmpty || p.maxSize.count == p.minSize.count else {
            throw fail("max_size must be absent or given once per min_size (\(p.minSize.count)), found \(p.maxSize.count)")
        }
        try positive(p.maxSize, "max_size")
        for (min, max) in zip(p.minSize, p.maxSize) where !(max > min) {
            throw fail("max_size \(max) must be greater than its min_size \(min)")
        }
        guard p.aspectRatio.count <= 16 else { throw fail("at most 16 aspect_ratio values are supported") }
        for ratio in p.aspectRatio where !(ratio.isFinite && ratio >= 1e-3 && ratio <= 1e3) {
            throw fail("aspect_ratio \(ratio) must be finite and in [0.001, 1000]")
        }
        let variances = p.variance.isEmpty ? [Float(0.1)] : p.variance
        guard variances.count == 1 || variances.count == 4 else {
            throw fail("variance must be given once or four times, found \(p.variance.count)")
        }
        for variance in variances where !(variance.isFinite && variance > 0) {
            throw fail("variance \(variance) must be finite and positive")
        }
        if p.hasImgSize, p.hasImgH || p.hasImgW { throw fail("img_size and img_h/img_w must not be given together") }
        if p.hasImgH != p.hasImgW { throw fail("img_h and img_w must be given together") }
        if p.hasStep, p.hasStepH || p.hasStepW { throw fail("step and step_h/step_w must not be given together") }
        if p.hasStepH != p.hasStepW { throw fail("step_h and step_w must be given together") }
        let imageHeight = p.hasImgSize ? p.imgSize : p.hasImgH ? p.imgH : nil
        let imageWidth = p.hasImgSize ? p.imgSize : p.hasImgW ? p.imgW : nil
        for size in [imageHeight, imageWidth].compactMap({ $0 }) where !(1...65_536).contains(size) {
            throw fail("img_size/img_h/img_w \(size) must be in 1...65536")
        }
        let stepHeight = p.hasStep ? p.step : p.hasStepH ? p.stepH : nil
        let stepWidth = p.hasStep ? p.step : p.hasStepW ? p.stepW : nil
        try positive([stepHeight, stepWidth].compactMap { $0 }, "step")
        guard p.offset.isFinite, (0...1).contains(p.offset) else { throw fail("offset \(p.offset) must be in [0, 1]") }
        return CaffePriorBox(
            featureMapWidth: featureMapWidth, featureMapHeight: featureMapHeight, minSizes: p.minSize, maxSizes: p.maxSize,
            aspectRatios: p.aspectRatio, flip: p.flip, clip: p.clip, variances: variances,
            imageWidth: imageWidth.map { Int($0) }, imageHeight: imageHeight.map { Int($0) }, stepWidth: stepWidth,
            stepHeight: stepHeight, offset: p.offset)
    }
}
