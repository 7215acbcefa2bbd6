import Imaging

/// Caffe SSD's `ApplyDistort` (ssd.md §6.4) on 8-bit RGB, saturating after every step as OpenCV's `convertTo` does.
///
/// With probability 0.5 the order is brightness, contrast, saturation, hue, channel order; otherwise brightness,
/// saturation, hue, contrast, channel order. Each step fires with its own probability.
/// - Note: hue is shifted in float HSV and wraps around the colour circle (Caffe shifts OpenCV's 8-bit hue channel
///   and saturates it); `delta` is in OpenCV's 8-bit hue units (half degrees), as Caffe's configuration gives it.
public struct PhotometricDistortion: Sendable, Equatable {
    public var brightnessProbability: Float = 0.5
    /// Added to every channel: U(−delta, delta).
    public var brightnessDelta: Float = 32
    public var contrastProbability: Float = 0.5
    public var contrastRange: ClosedRange<Float> = 0.5...1.5
    public var saturationProbability: Float = 0.5
    public var saturationRange: ClosedRange<Float> = 0.5...1.5
    public var hueProbability: Float = 0.5
    /// Hue shift U(−delta, delta) in half degrees (18 = ±36°).
    public var hueDelta: Float = 18
    /// Random channel permutation (0 in Caffe's SSD configuration, 0.5 in torchvision's preset).
    public var channelSwapProbability: Float = 0

    public init() {}

    /// Distorts `image` with draws from `random`.
    public func apply(_ image: RGBImage, random: inout AugmentationGenerator) -> RGBImage {
        var pixels = image.pixels.map(Float.init)
        if random.chance(brightnessProbability) {
            let delta = random.uniform(-brightnessDelta, brightnessDelta)
            Self.affine(&pixels, scale: 1, offset: delta)
        }
        let contrastFirst = random.chance(0.5)
        if contrastFirst { contrast(&pixels, &random) }
        if random.chance(saturationProbability) {
            let factor = random.uniform(saturationRange.lowerBound, saturationRange.upperBound)
            Self.mapHSV(&pixels) { h, s, v in (h, min(s * factor, 1), v) }
        }
        if random.chance(hueProbability) {
            let degrees = 2 * random.uniform(-hueDelta, hueDelta)
            Self.mapHSV(&pixels) { h, s, v in
                (((h + degrees).truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360), s, v)
            }
        }
        if !contrastFirst { contrast(&pixels, &random) }
        if random.chance(channelSwapProbability) {
            let permutations = [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
            let p = permutations[random.index(permutations.count)]
            for i in stride(from: 0, to: pixels.count, by: 3) {
                let (a, b, c) = (pixels[i + p[0]], pixels[i + p[1]], pixels[i + p[2]])
                (pixels[i], pixels[i + 1], pixels[i + 2]) = (a, b, c)
            }
        }
        return RGBImage(width: image.width, height: image.height, pixels: pixels.map { UInt8(max(0, min(255, $0.rounded()))) })
    }

    private func contrast(_ pixels: inout [Float], _ random: inout AugmentationGenerator) {
        guard random.chance(contrastProbability) else { return }
        Self.affine(&pixels, scale: random.uniform(contrastRange.lowerBound, contrastRange.upperBound), offset: 0)
    }

    /// `x·scale + offset`, rounded and saturated to 0…255.
    static func affine(_ pixels: inout [Float], scale: Float, offset: Float) {
        for i in pixels.indices { pixels[i] = max(0, min(255, (pixels[i] * scale + offset).rounded())) }
    }

    /// Applies `f` to every pixel's (hue in degrees, saturation 0…1, value 0…255) and rounds back to 0…255.
    static func mapHSV(_ pixels: inout [Float], _ f: (Float, Float, Float) -> (Float, Float, Float)) {
        for i in stride(from: 0, to: pixels.count, by: 3) {
            let r = pixels[i], g = pixels[i + 1], b = pixels[i + 2]
            let v = max(r, g, b), span = v - min(r, g, b)
            let s = v > 0 ? span / v : 0
            var h: Float = 0
            if span > 0 {
                if v == r { h = 60 * (g - b) / span } else if v == g { h = 120 + 60 * (b - r) / span } else { h = 240 + 60 * (r - g) / span }
                if h < 0 { h += 360 }
            }
            let (h2, s2, v2) = f(h, s, v)
            let c = v2 * s2, x = c * (1 - abs((h2 / 60).truncatingRemainder(dividingBy: 2) - 1)), m = v2 - c
            let (r1, g1, b1): (Float, Float, Float)
            switch Int(h2 / 60) % 6 {
            case 0: (r1, g1, b1) = (c, x, 0)
            case 1: (r1, g1, b1) = (x, c, 0)
            case 2: (r1, g1, b1) = (0, c, x)
            case 3: (r1, g1, b1) = (0, x, c)
            case 4: (r1, g1, b1) = (x, 0, c)
            default: (r1, g1, b1) = (c, 0, x)
            }
            pixels[i] = max(0, min(255, (r1 + m).rounded()))
            pixels[i + 1] = max(0, min(255, (g1 + m).rounded()))
            pixels[i + 2] = max(0, min(255, (b1 + m).rounded()))
        }
    }
}
