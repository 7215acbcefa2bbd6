import ModelStore

/// Scores → per-class candidates → NMS → merged, sorted, clipped detections, in the order the model's reference
/// implementation uses (`Postprocessing.clipping`).
///
/// Per class: candidates scoring strictly above the threshold, stably sorted by descending score, the first
/// `candidatesPerClass` kept, greedy NMS (kept iff IoU ≤ threshold with every kept box). This is torchvision's,
/// TensorFlow's and OpenCV DNN's Caffe `DetectionOutput` (`GetMaxScoreIndex` + `NMSFast_`, `top_k`, then
/// `keep_top_k` over all classes). Output is by descending score; OpenCV emits the same rows grouped by ascending
/// label instead.
public struct PostProcessor: Sendable {
    public let settings: Postprocessing
    /// Class slots including background.
    public let classes: Int
    /// The frame boxes are clipped to (1×1 normalised, or the input size in pixels).
    public let frameWidth: Float
    public let frameHeight: Float
    public let order: CoordinateOrder

    public init(settings: Postprocessing, classes: Int, anchors: AnchorSet) {
        self.settings = settings
        self.classes = classes
        self.frameWidth = anchors.frameWidth
        self.frameHeight = anchors.frameHeight
        self.order = anchors.order
    }

    /// Runs post-processing on decoded `boxes` (`n × 4`) and `scores` (`n × classes`).
    ///
    /// - Parameter minimumScore: an extra threshold (the user's). Candidates at or below it are dropped before NMS;
    ///   because a box can only be suppressed by a higher-scoring one, the survivors above it are the same as when
    ///   filtering afterwards (unless a per-class cap binds).
    public func run(boxes: [Float], scores: [Float], minimumScore: Float? = nil, classFilter: Set<Int>? = nil) -> [Candidate] {
        let count = boxes.count / 4
        let threshold = max(settings.scoreThreshold, minimumScore.map { $0.nextDown } ?? -.infinity)
        var merged: [Candidate] = []
        for classIndex in 1..<classes {
            if let classFilter, !classFilter.contains(classIndex) { continue }
            var candidates: [Candidate] = []
            for anchor in 0..<count {
                let score = scores[anchor * classes + classIndex]
                guard score > threshold else { continue }
                var box = (boxes[anchor * 4], boxes[anchor * 4 + 1], boxes[anchor * 4 + 2], boxes[anchor * 4 + 3])
                if settings.clipping == .clipThenSuppress { box = clip(box) }
                candidates.append(Candidate(anchor: anchor, classIndex: classIndex, score: score, box: box))
            }
            // Highest score first; equal scores keep the lower anchor first (stable), as TF and torch's CPU sort do.
            candidates = stableSortedByScore(candidates)
            if let limit = settings.candidatesPerClass, candidates.count > limit { candidates.removeLast(candidates.count - limit) }
            merged += NonMaximumSuppression.suppress(candidates, threshold: settings.iouThreshold, limit: settings.maxPerClass)
        }
        merged = stableSortedByScore(merged)
        if settings.clipping == .suppressThenClip {
            merged = merged.compactMap { candidate in
                var clipped = candidate
                clipped.box = clip(candidate.box)
                let area = (clipped.box.2 - clipped.box.0) * (clipped.box.3 - clipped.box.1)
                return area > 0 ? clipped : nil
            }
        }
        if merged.count > settings.maxDetections { merged.removeLast(merged.count - settings.maxDetections) }
        return merged
    }

    private func clip(_ box: (Float, Float, Float, Float)) -> (Float, Float, Float, Float) {
        let limit0 = order == .yx ? frameHeight : frameWidth
        let limit1 = order == .yx ? frameWidth : frameHeight
        return (min(max(box.0, 0), limit0), min(max(box.1, 0), limit1), min(max(box.2, 0), limit0), min(max(box.3, 0), limit1))
    }

    private func stableSortedByScore(_ candidates: [Candidate]) -> [Candidate] {
        candidates.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
    }
}
