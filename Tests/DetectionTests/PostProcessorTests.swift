import Detection
import ModelStore
import Testing

@Suite("Post-processing: thresholds, per-class NMS, clipping order, ties")
struct PostProcessorTests {
    static let tensorFlow = Postprocessing(
        scoreThreshold: 1e-8, iouThreshold: 0.6, candidatesPerClass: nil, maxPerClass: 100, maxDetections: 100, clipping: .suppressThenClip)
    static let unit = AnchorSet(values: [], order: .yx, frameWidth: 1, frameHeight: 1)

    /// One NMS decision at, just below and just above the IoU threshold.
    ///
    /// The second box is `[0, 0, 1, height]` against the first `[0, 0, 1, 1]`, so its area and the intersection are both
    /// `height`, and the union `1 + height - height` is exactly 1 in Float arithmetic for every height listed (each is a
    /// multiple of 2⁻²³ below 1, so `1 + height` needs no rounding): the IoU computed is exactly `height`. A box is
    /// suppressed only when IoU > threshold (torchvision `nms`, TF `NonMaxSuppressionV3`; reference/ssd.md).
    struct ThresholdCase: Sendable, CustomTestStringConvertible {
        let threshold: Float
        let height: Float
        let kept: [Int]
        var testDescription: String { "threshold \(threshold), IoU \(height) → kept \(kept)" }
    }

    static let thresholdCases: [ThresholdCase] = [
        // 0.5 is exact in binary; the neighbours differ by 2⁻²⁰.
        ThresholdCase(threshold: 0.5, height: 0.5, kept: [0, 1]),
        ThresholdCase(threshold: 0.5, height: 0.5 - 0x1p-20, kept: [0, 1]),
        ThresholdCase(threshold: 0.5, height: 0.5 + 0x1p-20, kept: [0]),
        // The TF graph's threshold: Float(0.6) = 0.600000024; IoU equal to it is kept, two ulps above is suppressed.
        ThresholdCase(threshold: 0.6, height: 0.6, kept: [0, 1]),
        ThresholdCase(threshold: 0.6, height: Float(0.6).nextUp.nextUp, kept: [0]),
        ThresholdCase(threshold: 0.6, height: Float(0.6).nextDown.nextDown, kept: [0, 1]),
    ]

    @Test("IoU exactly at the threshold is kept; above it is suppressed", arguments: thresholdCases, [Clipping.suppressThenClip, .clipThenSuppress])
    func thresholdIsStrict(_ example: ThresholdCase, clipping: Clipping) {
        #expect(1 + example.height - example.height == 1, "the union must be exact for the IoU to equal the height")
        let settings = Postprocessing(
            scoreThreshold: 1e-8, iouThreshold: example.threshold, candidatesPerClass: nil, maxPerClass: 100, maxDetections: 100, clipping: clipping)
        let processor = PostProcessor(settings: settings, classes: 2, anchors: Self.unit)
        let boxes: [Float] = [0, 0, 1, 1, 0, 0, 1, example.height]
        let scores: [Float] = [0, 0.9, 0, 0.8]
        #expect(processor.run(boxes: boxes, scores: scores).map(\.anchor) == example.kept)
    }

    @Test("NMS runs on unclipped boxes, then boxes are clipped and empty ones dropped (TF graph order)")
    func suppressThenClip() {
        let processor = PostProcessor(settings: Self.tensorFlow, classes: 2, anchors: Self.unit)
        // Anchor 0 lies wholly outside the frame: it survives NMS, then is dropped after clipping.
        let boxes: [Float] = [1.2, 1.2, 1.5, 1.5, -0.2, 0.1, 0.5, 0.6]
        let scores: [Float] = [0, 0.95, 0, 0.5]
        let kept = processor.run(boxes: boxes, scores: scores)
        #expect(kept.count == 1)
        #expect(kept[0].anchor == 1)
        #expect(kept[0].box == (0, 0.1, 0.5, 0.6))
    }

    @Test("equal scores keep the lower anchor first")
    func ties() {
        let processor = PostProcessor(settings: Self.tensorFlow, classes: 2, anchors: Self.unit)
        let boxes: [Float] = [0, 0, 0.2, 0.2, 0.5, 0.5, 0.7, 0.7, 0.01, 0.01, 0.2, 0.2]
        let scores: [Float] = [0, 0.5, 0, 0.5, 0, 0.5]
        #expect(processor.run(boxes: boxes, scores: scores).map(\.anchor) == [0, 1])
    }

    @Test("per-class NMS: overlapping boxes of different classes both survive; caps apply")
    func perClass() {
        let settings = Postprocessing(
            scoreThreshold: 0.01, iouThreshold: 0.45, candidatesPerClass: 400, maxPerClass: nil, maxDetections: 2, clipping: .clipThenSuppress)
        let frame = AnchorSet(values: [], order: .xy, frameWidth: 300, frameHeight: 300)
        let processor = PostProcessor(settings: settings, classes: 3, anchors: frame)
        let boxes: [Float] = [10, 10, 100, 100, 12, 12, 100, 100, 200, 200, 350, 320]
        let scores: [Float] = [0, 0.9, 0.3, 0, 0.2, 0.8, 0, 0.7, 0]
        let kept = processor.run(boxes: boxes, scores: scores)
        #expect(kept.map(\.classIndex) == [1, 2])
        #expect(kept.map(\.anchor) == [0, 1])
        let all = PostProcessor(
            settings: Postprocessing(
                scoreThreshold: 0.01, iouThreshold: 0.45, candidatesPerClass: 400, maxPerClass: nil, maxDetections: 200, clipping: .clipThenSuppress),
            classes: 3, anchors: frame)
        let third = all.run(boxes: boxes, scores: scores)
        #expect(third.map(\.anchor) == [0, 1, 2], "anchor 1 suppressed in class 1, anchor 0 in class 2")
        #expect(third[2].box == (200, 200, 300, 300), "clipped to the 300×300 frame before NMS")
    }

    @Test("a user threshold keeps exactly the detections at or above it")
    func userThreshold() {
        let processor = PostProcessor(settings: Self.tensorFlow, classes: 2, anchors: Self.unit)
        let boxes: [Float] = [0, 0, 0.2, 0.2, 0.5, 0.5, 0.7, 0.7, 0.8, 0.8, 0.9, 0.9]
        let scores: [Float] = [0, 0.5, 0, 0.4, 0, 0.6]
        #expect(processor.run(boxes: boxes, scores: scores, minimumScore: 0.5).map(\.anchor) == [2, 0])
    }
}
