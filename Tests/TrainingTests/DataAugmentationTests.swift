import Imaging
import Testing

@testable import Training

/// Augmentation keeps boxes on their pixels and is reproducible from a seed.
@Suite struct DataAugmentationTests {
    static let colours: [(UInt8, UInt8, UInt8)] = [(250, 10, 10), (10, 250, 10), (10, 10, 250)]

    /// A grey 80×60 image with three solid rectangles of distinct colours, the boxes exactly their pixels.
    static func rectangles() -> DetectionSample {
        let rects: [(Int, Int, Int, Int)] = [(5, 5, 25, 20), (40, 10, 75, 30), (15, 35, 50, 58)]
        let image = RGBImage(width: 80, height: 60) { x, y in
            for (i, r) in rects.enumerated() where x >= r.0 && x < r.2 && y >= r.1 && y < r.3 { return colours[i] }
            return (128, 128, 128)
        }
        return DetectionSample(image: image, boxes: rects.flatMap { [Float($0.0), Float($0.1), Float($0.2), Float($0.3)] }, labels: [1, 2, 3])
    }

    /// Every box covers only its colour, and the pixels just outside it (inside the image) are not that colour.
    static func checkExact(_ s: DetectionSample, _ context: String) {
        for i in 0..<s.count {
            let b = s.box(i)
            let colour = colours[s.labels[i] - 1]
            #expect(
                b.x1 == b.x1.rounded() && b.x2 == b.x2.rounded() && b.y1 == b.y1.rounded() && b.y2 == b.y2.rounded(), "\(context): fractional box")
            let (x1, y1, x2, y2) = (Int(b.x1), Int(b.y1), Int(b.x2), Int(b.y2))
            #expect(x2 > x1 && y2 > y1 && x1 >= 0 && y1 >= 0 && x2 <= s.image.width && y2 <= s.image.height, "\(context): box \(b)")
            guard x2 > x1 && y2 > y1 else { continue }
            for y in y1..<y2 {
                for x in x1..<x2 where s.image[x, y] != colour { Issue.record("\(context): box \(i) pixel (\(x),\(y)) is \(s.image[x, y])"); return }
            }
            for y in y1..<y2 {
                if x1 > 0 { #expect(s.image[x1 - 1, y] != colour, "\(context): colour left of box \(i)") }
                if x2 < s.image.width { #expect(s.image[x2, y] != colour, "\(context): colour right of box \(i)") }
            }
            for x in x1..<x2 {
                if y1 > 0 { #expect(s.image[x, y1 - 1] != colour, "\(context): colour above box \(i)") }
                if y2 < s.image.height { #expect(s.image[x, y2] != colour, "\(context): colour below box \(i)") }
            }
        }
    }

    @Test(arguments: 0..<24)
    func geometricStagesKeepBoxesOnTheirPixels(seed: UInt64) {
        var random = AugmentationGenerator(seed: seed)
        var zoom = ZoomOut()
        zoom.probability = 0.7
        var s = zoom.apply(Self.rectangles(), random: &random)
        Self.checkExact(s, "seed \(seed) zoom")
        s = SSDRandomCrop().apply(s, random: &random)
        Self.checkExact(s, "seed \(seed) crop")
        s = SSDAugmentation.flipped(s)
        Self.checkExact(s, "seed \(seed) flip")
    }

    @Test(arguments: 0..<8)
    func fullPipelineKeepsBoxCentresOnTheirColour(seed: UInt64) {
        var augmentation = SSDAugmentation(width: 96, height: 96)
        augmentation.distortion = nil
        var random = AugmentationGenerator(seed: seed)
        let s = augmentation.apply(Self.rectangles(), random: &random)
        #expect(s.image.width == 96 && s.image.height == 96)
        for i in 0..<s.count {
            let b = s.box(i)
            guard b.x2 - b.x1 >= 4, b.y2 - b.y1 >= 4 else { continue }
            let centre = s.image[Int((b.x1 + b.x2) / 2), Int((b.y1 + b.y2) / 2)]
            #expect(centre == Self.colours[s.labels[i] - 1], "seed \(seed) box \(i) \(b): centre \(centre)")
        }
    }

    @Test func sameSeedSameOutputDifferentSeedDifferent() {
        let sample = SyntheticDataset(width: 64, height: 64).generate(count: 1, seed: 3)[0]
        let augmentation = SSDAugmentation(width: 48, height: 48)
        var a = AugmentationGenerator(seed: 11), b = AugmentationGenerator(seed: 11), c = AugmentationGenerator(seed: 12)
        let first = augmentation.apply(sample, random: &a)
        #expect(first == augmentation.apply(sample, random: &b))
        #expect(first != augmentation.apply(sample, random: &c))
    }

    @Test func photometricStepsAreUniformAndOptional() {
        let image = Self.rectangles().image
        var none = PhotometricDistortion()
        (none.brightnessProbability, none.contrastProbability, none.saturationProbability, none.hueProbability) = (0, 0, 0, 0)
        var random = AugmentationGenerator(seed: 1)
        #expect(none.apply(image, random: &random) == image)
        var brightness = none
        brightness.brightnessProbability = 1
        let shifted = brightness.apply(image, random: &random)
        let delta = Int(shifted[0, 0].0) - 128
        #expect(delta != 0 && abs(delta) <= 32)
        #expect(Int(shifted[0, 0].1) - 128 == delta && Int(shifted[6, 6].0) == min(255, 250 + delta))
    }

    @Test func cropWithoutObjectsOnlyKeepsTheWholeImage() {
        let empty = DetectionSample(image: RGBImage(width: 20, height: 10) { x, _ in (UInt8(x), 0, 0) }, boxes: [], labels: [])
        var random = AugmentationGenerator(seed: 5)
        #expect(SSDRandomCrop().apply(empty, random: &random) == empty)
    }
}
