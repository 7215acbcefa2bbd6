import Imaging

/// Caffe SSD's batch samplers and crop (ssd.md §6.4): the paper's "random patch with minimum IoU" step.
///
/// Samplers, each keeping at most one sample: the whole image; then for each minimum IoU in ``minimumOverlaps`` (and
/// once without a minimum, the "any patch" sampler with `max_jaccard_overlap 1`), up to ``trials`` patches with scale
/// s ~ U(minimumScale, 1) and aspect a ~ U(0.5, 2) clamped to [s², 1/s²], width s·√a, height s/√a (relative), at a
/// uniform position; a patch qualifies if *any* object's IoU with it meets the constraint (an image without objects
/// qualifies only for the whole-image sampler). One collected sample is chosen uniformly. Objects whose centre lies in
/// the patch (edges inclusive, Caffe `emit_type CENTER`) are kept, shifted and clipped to it.
/// - Note: the paper says scale [0.1, 1]; Caffe's ssd_pascal.py and torchvision use 0.3, which is the default here.
public struct SSDRandomCrop: Sendable, Equatable {
    public var minimumOverlaps: [Float] = [0.1, 0.3, 0.5, 0.7, 0.9]
    /// Also sample one unconstrained patch (Caffe's `max_jaccard_overlap: 1.0` sampler).
    public var includeAnyPatch = true
    public var minimumScale: Float = 0.3
    public var aspectRange: ClosedRange<Float> = 0.5...2
    public var trials = 50

    public init() {}

    /// A patch in relative coordinates.
    struct Patch: Equatable {
        var x1: Float, y1: Float, x2: Float, y2: Float
    }

    public func apply(_ sample: DetectionSample, random: inout AugmentationGenerator) -> DetectionSample {
        let w = Float(sample.image.width), h = Float(sample.image.height)
        let objects = (0..<sample.count).map { i -> Patch in
            let b = sample.box(i)
            return Patch(x1: b.x1 / w, y1: b.y1 / h, x2: b.x2 / w, y2: b.y2 / h)
        }
        var candidates = [Patch(x1: 0, y1: 0, x2: 1, y2: 1)]
        let constraints: [Float?] = minimumOverlaps.map { $0 } + (includeAnyPatch ? [nil] : [])
        for minimum in constraints {
            for _ in 0..<trials {
                let patch = samplePatch(&random)
                // The "any patch" sampler's constraint (IoU ≤ 1) holds for any object, but needs one.
                if objects.contains(where: { Self.iou($0, patch) >= (minimum ?? 0) }) {
                    candidates.append(patch)
                    break
                }
            }
        }
        let chosen = candidates[random.index(candidates.count)]
        if chosen == Patch(x1: 0, y1: 0, x2: 1, y2: 1) { return sample }
        return crop(sample, to: chosen)
    }

    /// A patch from Caffe's `SampleBBox`.
    func samplePatch(_ random: inout AugmentationGenerator) -> Patch {
        let scale = random.uniform(minimumScale, 1)
        var aspect = random.uniform(aspectRange.lowerBound, aspectRange.upperBound)
        aspect = max(aspect, scale * scale)
        aspect = min(aspect, 1 / (scale * scale))
        let width = scale * aspect.squareRoot(), height = scale / aspect.squareRoot()
        let x = random.uniform(0, 1 - width), y = random.uniform(0, 1 - height)
        return Patch(x1: x, y1: y, x2: x + width, y2: y + height)
    }

    /// Crops to the pixel rectangle of `patch` and keeps the objects whose centre lies inside it.
    func crop(_ sample: DetectionSample, to patch: Patch) -> DetectionSample {
        let image = sample.image
        let left = min(Int(patch.x1 * Float(image.width)), image.width - 1)
        let top = min(Int(patch.y1 * Float(image.height)), image.height - 1)
        let width = max(1, min(Int((patch.x2 - patch.x1) * Float(image.width)), image.width - left))
        let height = max(1, min(Int((patch.y2 - patch.y1) * Float(image.height)), image.height - top))
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for y in top..<(top + height) {
            let start = (y * image.width + left) * 3
            pixels += image.pixels[start..<(start + width * 3)]
        }
        let (l, t, r, b) = (Float(left), Float(top), Float(left + width), Float(top + height))
        let kept = sample.filtered { i in
            let box = sample.box(i)
            let cx = (box.x1 + box.x2) / 2, cy = (box.y1 + box.y2) / 2
            return cx >= l && cx <= r && cy >= t && cy <= b
        }
        var boxes: [Float] = []
        var keep: [Int] = []
        for i in 0..<kept.count {
            let box = kept.box(i)
            let clipped = [max(box.x1, l) - l, max(box.y1, t) - t, min(box.x2, r) - l, min(box.y2, b) - t]
            // Caffe's ProjectBBox drops boxes without area after clipping.
            guard clipped[2] > clipped[0], clipped[3] > clipped[1] else { continue }
            boxes += clipped
            keep.append(i)
        }
        return DetectionSample(
            image: RGBImage(width: width, height: height, pixels: pixels), boxes: boxes, labels: keep.map { kept.labels[$0] },
            difficult: keep.map { kept.difficult[$0] })
    }

    /// Jaccard overlap of two relative boxes (no +1).
    static func iou(_ a: Patch, _ b: Patch) -> Float {
        let w = max(min(a.x2, b.x2) - max(a.x1, b.x1), 0), h = max(min(a.y2, b.y2) - max(a.y1, b.y1), 0)
        let intersection = w * h
        return intersection / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - intersection)
    }
}
