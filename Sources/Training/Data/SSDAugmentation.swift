import Imaging

/// The paper's training augmentation in Caffe's order (ssd.md §6.4): distort → zoom out → random crop → flip →
/// resize to the network input.
///
/// Deterministic: the same sample and generator state give the same output. Each stage can be switched off by
/// setting its probability to 0 (or ``crop`` to nil).
/// - Note: Caffe picks the resize interpolation at random among five OpenCV modes; this uses bilinear (half-pixel,
///   as Imaging's `BilinearResizer`) every time.
public struct SSDAugmentation: Sendable, Equatable {
    public var distortion: PhotometricDistortion? = PhotometricDistortion()
    public var zoomOut: ZoomOut? = ZoomOut()
    public var crop: SSDRandomCrop? = SSDRandomCrop()
    public var flipProbability: Float = 0.5
    /// Output size (the network input).
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Augments `sample`, drawing from `random`.
    public func apply(_ sample: DetectionSample, random: inout AugmentationGenerator) -> DetectionSample {
        var s = sample
        if let distortion { s.image = distortion.apply(s.image, random: &random) }
        if let zoomOut { s = zoomOut.apply(s, random: &random) }
        if let crop { s = crop.apply(s, random: &random) }
        if random.chance(flipProbability) { s = Self.flipped(s) }
        return Self.resized(s, width: width, height: height)
    }

    /// Mirrors the image left–right; `x → W − x` on the box corners.
    public static func flipped(_ sample: DetectionSample) -> DetectionSample {
        let image = sample.image
        var pixels = image.pixels
        for y in 0..<image.height {
            for x in 0..<image.width {
                let target = (y * image.width + x) * 3, source = (y * image.width + image.width - 1 - x) * 3
                pixels[target] = image.pixels[source]
                pixels[target + 1] = image.pixels[source + 1]
                pixels[target + 2] = image.pixels[source + 2]
            }
        }
        var boxes = sample.boxes
        let w = Float(image.width)
        for i in stride(from: 0, to: boxes.count, by: 4) { (boxes[i], boxes[i + 2]) = (w - sample.boxes[i + 2], w - sample.boxes[i]) }
        return DetectionSample(
            image: RGBImage(width: image.width, height: image.height, pixels: pixels), boxes: boxes, labels: sample.labels,
            difficult: sample.difficult)
    }

    /// Warps the image to `width × height` (bilinear, rounded to 8 bits) and scales the boxes with it.
    public static func resized(_ sample: DetectionSample, width: Int, height: Int) -> DetectionSample {
        let image = sample.image
        if image.width == width && image.height == height { return sample }
        let values = BilinearResizer.resize(image, width: width, height: height, convention: .halfPixel)
        let pixels = values.map { UInt8(max(0, min(255, $0.rounded()))) }
        let sx = Float(width) / Float(image.width), sy = Float(height) / Float(image.height)
        var boxes = sample.boxes
        for i in stride(from: 0, to: boxes.count, by: 2) {
            boxes[i] *= sx
            boxes[i + 1] *= sy
        }
        return DetectionSample(
            image: RGBImage(width: width, height: height, pixels: pixels), boxes: boxes, labels: sample.labels, difficult: sample.difficult)
    }
}
