import Foundation
import ModelStore
import TestSupport
import Testing

@testable import Detection

/// OpenCV DNN's `PriorBox` and `DetectionOutput` (with the `Softmax` before it) against ssdd's anchors, decoder,
/// scoring and post-processing, on the numbers OpenCV itself computed (tools/caffe_ssd_fixtures.py): the priors of
/// the three fixture nets, and for MobileNet-SSD the raw head outputs of darknet's dog.jpg with the detections
/// OpenCV made of them. Independent of the importer and of the convolution engine.
@Suite("Caffe PriorBox and DetectionOutput against OpenCV DNN")
struct CaffeDetectionOutputTests {
    @Test(
        "PriorBox: every prior and variance bit for bit as OpenCV computes them",
        arguments: ["mobilenet_ssd_voc", "ssd300_vgg16_voc", "ssd512_vgg16_voc"])
    func priors(model: String) throws {
        let golden = try CaffeFixtures.golden(model)
        let size = golden.input_size
        let levels = CaffeFixtures.priorBoxes(model, featureMaps: golden.priors.feature_maps)
        let anchors = try AnchorSet(.caffePriorBoxes(levels), inputWidth: size, inputHeight: size)
        #expect(anchors.count == golden.priors.count)
        let sample = stride(from: 0, to: anchors.count, by: golden.priors.sample_every).flatMap { anchors.values[$0 * 4..<$0 * 4 + 4] }
        let worst = zip(sample, golden.priors.sample).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst == 0, "sampled priors differ by up to \(worst)")
        let bytes = anchors.values.withUnsafeBytes { Array($0) }
        #expect(FNV1a.hexDigest(bytes) == golden.priors.boxes_fnv1a64)
        let variances = try #require(anchors.variances).withUnsafeBytes { Array($0) }
        #expect(FNV1a.hexDigest(variances) == golden.priors.variances_fnv1a64)
        #expect(AnchorSet.boxesPerLocation(.caffePriorBoxes(levels)).count == levels.count)
    }

    @Test("DetectionOutput of MobileNet-SSD's raw heads on dog.jpg: OpenCV's detections, same order by score")
    func detectionOutput() throws {
        let model = "mobilenet_ssd_voc"
        let golden = try CaffeFixtures.golden(model)
        let levels = CaffeFixtures.priorBoxes(model, featureMaps: golden.priors.feature_maps)
        let anchors = try AnchorSet(.caffePriorBoxes(levels), inputWidth: 300, inputHeight: 300)
        let raw = try Data(contentsOf: CaffeFixtures.directory.appendingPathComponent("\(model).heads.bin"))
        let values = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let classes = 21
        try #require(values.count == anchors.count * (4 + classes))
        let regressions = Array(values[0..<anchors.count * 4])
        let logits = Array(values[(anchors.count * 4)..<values.count])
        let decoder = try BoxDecoder(BoxCoding(order: .xy, weights: [10, 10, 5, 5], sizeClamp: nil))
        let boxes = try decoder.decode(regressions, anchors: anchors)
        let scores = ScoreConverter.scores(logits, classes: classes, scoring: .softmax)
        let settings = Postprocessing(
            scoreThreshold: 0.25, iouThreshold: 0.45, candidatesPerClass: 100, maxPerClass: nil, maxDetections: 100, clipping: .unclipped)
        let ours = PostProcessor(settings: settings, classes: classes, anchors: anchors).run(boxes: boxes, scores: scores)
        let expected = CaffeFixtures.byScore(golden.photos[0].detections)
        #expect(expected.count == 70)
        #expect(ours.count == expected.count)
        var worstScore: Float = 0
        var worstBox: Float = 0
        for (index, (mine, theirs)) in zip(ours, expected).enumerated() {
            #expect(mine.classIndex == theirs.label, "detection \(index): label \(mine.classIndex), OpenCV \(theirs.label)")
            worstScore = max(worstScore, abs(mine.score - theirs.score))
            let box = [mine.box.0, mine.box.1, mine.box.2, mine.box.3]
            worstBox = max(worstBox, zip(box, theirs.box).map { abs($0 - $1) }.max() ?? 0)
        }
        // The boxes are decoded as OpenCV does (variance products, no clamp); the softmax differs from OpenCV's
        // vectorised exp in the last bits only.
        #expect(worstScore <= 1e-6, "scores differ by up to \(worstScore)")
        #expect(worstBox <= 1e-6, "normalised boxes differ by up to \(worstBox)")
    }

    @Test("Caffe decoding: weights all 1 take the codes as they are (variance in target), others the priors' variances")
    func codingWeights() throws {
        let levels = CaffeFixtures.priorBoxes("mobilenet_ssd_voc", featureMaps: [[19, 19], [10, 10], [5, 5], [3, 3], [2, 2], [1, 1]])
        let anchors = try AnchorSet(.caffePriorBoxes(levels), inputWidth: 300, inputHeight: 300)
        let codes = [Float](repeating: 0.5, count: anchors.count * 4)
        let encoded = try BoxDecoder(BoxCoding(order: .xy, weights: [1, 1, 1, 1], sizeClamp: nil)).decode(codes, anchors: anchors)
        let scaled = try BoxDecoder(BoxCoding(order: .xy, weights: [10, 10, 5, 5], sizeClamp: nil)).decode(codes, anchors: anchors)
        // Variance encoded in target: codes used as they are, so the boxes move further than with the variances.
        let width = anchors.values[2] - anchors.values[0]
        let centre = anchors.values[0] + width * 0.5
        #expect(encoded[0] == (0.5 * width + centre) - Foundation.exp(Float(0.5)) * width * 0.5)
        #expect(scaled[0] == (Float(0.1) * 0.5 * width + centre) - Foundation.exp(Float(0.2) * 0.5) * width * 0.5)
    }
}
