import TensorEngine

/// One training example as the trainer consumes it: the network input and its objects.
public struct TrainingSample: Sendable {
    /// The network input `[H, W, C]` (the graph's input shape), already resized and normalised with the model's
    /// preprocessing (augmentation, if any, happened before).
    public var image: Tensor
    /// `count × 4` object corners (x1, y1, x2, y2) in pixels of `image`.
    public var boxes: [Float]
    /// Class slot per object (1…; 0 is background and never appears here).
    public var labels: [Int]

    public init(image: Tensor, boxes: [Float], labels: [Int]) {
        precondition(boxes.count == labels.count * 4, "TrainingSample: 4 corners per label, got \(boxes.count) values for \(labels.count) labels")
        self.image = image
        self.boxes = boxes
        self.labels = labels
    }
}

/// Where training batches come from. A source is a pure function of the iteration, so batches can be produced ahead
/// on another thread and a resumed run sees the same data as an uninterrupted one.
///
/// - Important: called from the trainer's prefetch thread, never from the thread running the step.
public protocol TrainingBatchSource: Sendable {
    /// The `size` samples of 0-based `iteration` (deterministic for a given source).
    func batch(iteration: Int, size: Int) throws -> [TrainingSample]
}
