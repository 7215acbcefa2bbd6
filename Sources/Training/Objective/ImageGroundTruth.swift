import Detection
import ModelStore

/// The objects of one training image as the objective sees them: corners in the anchors' frame and coordinate order,
/// and class slots (1…; 0 is background).
public struct ImageGroundTruth: Sendable, Equatable {
    /// `count × 4` corners in the anchors' frame and order.
    public var boxes: [Float]
    /// Class slot per box.
    public var labels: [Int]

    public var count: Int { labels.count }

    public init(boxes: [Float], labels: [Int]) {
        precondition(boxes.count == labels.count * 4, "ImageGroundTruth: 4 corners per label")
        self.boxes = boxes
        self.labels = labels
    }

    /// Converts pixel (x1, y1, x2, y2) boxes of an image of `width × height` into the anchors' frame and order.
    public init(pixelBoxes: [Float], labels: [Int], width: Int, height: Int, anchors: AnchorSet) {
        precondition(pixelBoxes.count == labels.count * 4, "ImageGroundTruth: 4 corners per label")
        let fw = anchors.frameWidth, fh = anchors.frameHeight, w = Float(width), h = Float(height)
        var boxes: [Float] = []
        boxes.reserveCapacity(pixelBoxes.count)
        for i in stride(from: 0, to: pixelBoxes.count, by: 4) {
            let x1 = pixelBoxes[i] * fw / w, y1 = pixelBoxes[i + 1] * fh / h
            let x2 = pixelBoxes[i + 2] * fw / w, y2 = pixelBoxes[i + 3] * fh / h
            boxes += anchors.order == .yx ? [y1, x1, y2, x2] : [x1, y1, x2, y2]
        }
        self.init(boxes: boxes, labels: labels)
    }

    /// The corners of box `i`.
    public func box(_ i: Int) -> (Float, Float, Float, Float) {
        (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3])
    }
}
