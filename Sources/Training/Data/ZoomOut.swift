import Imaging

/// Caffe SSD's `ExpandImage` (zoom out): with probability `probability`, place the image on a canvas
/// `int(H·r) × int(W·r)`, r ~ U(1, maxRatio), filled with the mean, at offset (floor U(0, W'−W), floor U(0, H'−H)).
public struct ZoomOut: Sendable, Equatable {
    public var probability: Float = 0.5
    public var maxRatio: Float = 4
    /// Fill colour: the training mean in RGB (Caffe's BGR 104, 117, 123).
    public var fill: (UInt8, UInt8, UInt8) = (123, 117, 104)

    public init() {}

    public func apply(_ sample: DetectionSample, random: inout AugmentationGenerator) -> DetectionSample {
        guard random.chance(probability) else { return sample }
        let ratio = random.uniform(1, maxRatio)
        let image = sample.image
        let width = Int(Float(image.width) * ratio), height = Int(Float(image.height) * ratio)
        let top = Int(random.uniform(0, Float(height - image.height)).rounded(.down))
        let left = Int(random.uniform(0, Float(width - image.width)).rounded(.down))
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) { (pixels[i], pixels[i + 1], pixels[i + 2]) = fill }
        for y in 0..<image.height {
            let source = y * image.width * 3
            let target = ((y + top) * width + left) * 3
            pixels.replaceSubrange(target..<(target + image.width * 3), with: image.pixels[source..<(source + image.width * 3)])
        }
        var boxes = sample.boxes
        for i in stride(from: 0, to: boxes.count, by: 2) {
            boxes[i] += Float(left)
            boxes[i + 1] += Float(top)
        }
        return DetectionSample(
            image: RGBImage(width: width, height: height, pixels: pixels), boxes: boxes, labels: sample.labels, difficult: sample.difficult)
    }

    public static func == (a: ZoomOut, b: ZoomOut) -> Bool {
        a.probability == b.probability && a.maxRatio == b.maxRatio && a.fill == b.fill
    }
}
