import Imaging

/// A synthetic detection dataset: solid shapes of several classes and sizes on textured backgrounds.
///
/// Classes (slots 1…3): circle, square, triangle. Each image holds 1…`maxObjects` shapes of side 10–60 % of the image,
/// placed so that no two boxes overlap by more than IoU 0.3. Boxes are the exact pixel extent of each shape; a shape
/// drawn later may hide part of an earlier one, so objects are drawn large-to-small to keep every one visible.
public struct SyntheticDataset: Sendable {
    /// Class names by slot − 1.
    public static let labels = ["circle", "square", "triangle"]

    public var width: Int
    public var height: Int
    public var maxObjects: Int

    public init(width: Int = 128, height: Int = 128, maxObjects: Int = 3) {
        self.width = width
        self.height = height
        self.maxObjects = maxObjects
    }

    /// `count` samples, reproducible from `seed`.
    public func generate(count: Int, seed: UInt64) -> [DetectionSample] {
        var random = AugmentationGenerator(seed: seed)
        return (0..<count).map { _ in sample(&random) }
    }

    /// One image.
    func sample(_ random: inout AugmentationGenerator) -> DetectionSample {
        var pixels = background(&random)
        var placed: [(x1: Int, y1: Int, x2: Int, y2: Int, label: Int)] = []
        let wanted = 1 + random.index(maxObjects)
        var attempts = 0
        while placed.count < wanted && attempts < 100 {
            attempts += 1
            let side = Int(random.uniform(0.1, 0.6) * Float(min(width, height)))
            let w = max(4, Int(Float(side) * random.uniform(0.8, 1.25))), h = max(4, side)
            guard w < width, h < height else { continue }
            let x = random.index(width - w), y = random.index(height - h)
            let candidate = (x1: x, y1: y, x2: x + w, y2: y + h, label: 1 + random.index(Self.labels.count))
            if placed.contains(where: { Self.iou($0, candidate) > 0.3 || Self.contains($0, candidate) || Self.contains(candidate, $0) }) { continue }
            placed.append(candidate)
        }
        placed.sort { ($0.x2 - $0.x1) * ($0.y2 - $0.y1) > ($1.x2 - $1.x1) * ($1.y2 - $1.y1) }
        var boxes: [Float] = []
        for shape in placed {
            let colour = (UInt8(random.index(256)), UInt8(random.index(256)), UInt8(random.index(256)))
            let extent = draw(shape, colour: colour, into: &pixels)
            boxes += [Float(extent.x1), Float(extent.y1), Float(extent.x2), Float(extent.y2)]
        }
        return DetectionSample(image: RGBImage(width: width, height: height, pixels: pixels), boxes: boxes, labels: placed.map(\.label))
    }

    /// Stripes or a checkerboard of two random colours with per-pixel noise.
    func background(_ random: inout AugmentationGenerator) -> [UInt8] {
        let a = (0..<3).map { _ in Float(random.index(256)) }, b = (0..<3).map { _ in Float(random.index(256)) }
        let period = 4 + random.index(12), checker = random.chance(0.5)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let useA = checker ? ((x / period) + (y / period)) % 2 == 0 : ((x + y) / period) % 2 == 0
                for c in 0..<3 {
                    let noise = random.uniform(-20, 20)
                    pixels[(y * width + x) * 3 + c] = UInt8(max(0, min(255, (useA ? a[c] : b[c]) + noise)))
                }
            }
        }
        return pixels
    }

    /// Fills the shape inside its rectangle and returns the extent of the pixels drawn (x2, y2 exclusive).
    func draw(
        _ s: (x1: Int, y1: Int, x2: Int, y2: Int, label: Int), colour: (UInt8, UInt8, UInt8), into pixels: inout [UInt8]
    ) -> (x1: Int, y1: Int, x2: Int, y2: Int) {
        let w = Float(s.x2 - s.x1), h = Float(s.y2 - s.y1)
        var extent = (x1: Int.max, y1: Int.max, x2: Int.min, y2: Int.min)
        for y in s.y1..<s.y2 {
            for x in s.x1..<s.x2 {
                let u = (Float(x - s.x1) + 0.5) / w, v = (Float(y - s.y1) + 0.5) / h
                let inside: Bool
                switch s.label {
                case 1: inside = (u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5) <= 0.25
                case 2: inside = true
                default: inside = abs(u - 0.5) <= v / 2
                }
                guard inside else { continue }
                let i = (y * width + x) * 3
                (pixels[i], pixels[i + 1], pixels[i + 2]) = colour
                extent = (min(extent.x1, x), min(extent.y1, y), max(extent.x2, x + 1), max(extent.y2, y + 1))
            }
        }
        return extent
    }

    static func iou(_ a: (x1: Int, y1: Int, x2: Int, y2: Int, label: Int), _ b: (x1: Int, y1: Int, x2: Int, y2: Int, label: Int)) -> Float {
        let w = max(0, min(a.x2, b.x2) - max(a.x1, b.x1)), h = max(0, min(a.y2, b.y2) - max(a.y1, b.y1))
        let i = Float(w * h)
        return i / (Float((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1)) - i)
    }

    static func contains(_ a: (x1: Int, y1: Int, x2: Int, y2: Int, label: Int), _ b: (x1: Int, y1: Int, x2: Int, y2: Int, label: Int)) -> Bool {
        a.x1 <= b.x1 && a.y1 <= b.y1 && a.x2 >= b.x2 && a.y2 >= b.y2
    }
}
