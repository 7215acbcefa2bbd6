import Imaging

/// One training image and its objects.
///
/// Boxes are continuous pixel corners `(x1, y1, x2, y2)`: an object covering pixel columns `a…b` (0-based, inclusive)
/// has `x1 = a`, `x2 = b + 1`. (VOC's 1-based inclusive `xmin…xmax` becomes `xmin − 1 … xmax`.)
public struct DetectionSample: Sendable, Equatable {
    public var image: RGBImage
    /// `count × 4` corners in pixels.
    public var boxes: [Float]
    /// Class slot per object (1…; 0 is background).
    public var labels: [Int]
    /// VOC `difficult` per object (Caffe trains on them; ssd.md trap 27).
    public var difficult: [Bool]

    public var count: Int { labels.count }

    public init(image: RGBImage, boxes: [Float], labels: [Int], difficult: [Bool]? = nil) {
        precondition(boxes.count == labels.count * 4, "DetectionSample: 4 corners per label")
        self.image = image
        self.boxes = boxes
        self.labels = labels
        self.difficult = difficult ?? [Bool](repeating: false, count: labels.count)
        precondition(self.difficult.count == labels.count, "DetectionSample: one difficult flag per label")
    }

    /// The corners of object `i`.
    public func box(_ i: Int) -> (x1: Float, y1: Float, x2: Float, y2: Float) {
        (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3])
    }

    /// The sample keeping only the objects for which `keep` is true.
    func filtered(_ keep: (Int) -> Bool) -> DetectionSample {
        let kept = (0..<count).filter(keep)
        return DetectionSample(
            image: image, boxes: kept.flatMap { Array(boxes[(4 * $0)..<(4 * $0 + 4)]) }, labels: kept.map { labels[$0] },
            difficult: kept.map { difficult[$0] })
    }
}
