import Detection
import ModelStore
import Testing

@testable import Training

/// Hand-computed matching and encoding cases (ssd.md §3, §6.1).
@Suite struct ObjectiveMatchingTests {
    /// Pixel xyxy anchors in a 100×100 frame.
    static func anchors(_ boxes: [[Float]], order: CoordinateOrder = .xy) -> AnchorSet {
        AnchorSet(values: boxes.flatMap { $0 }, order: order, frameWidth: 100, frameHeight: 100)
    }

    @Test func encoderMatchesTorchvisionGolden() throws {
        let encoder = try BoxEncoder(BoxCoding(order: .xy, weights: [10, 10, 5, 5], sizeClamp: 4.135166556742356))
        let t = encoder.encode((0, 0, 20, 10), anchor: (-6.5, -6.5, 14.5, 14.5))
        // ssd.md §3.1: (2.8571, 0.4762, −0.2440, −3.7097).
        #expect(abs(t.0 - 2.8571) < 1e-4 && abs(t.1 - 0.4762) < 1e-4)
        #expect(abs(t.2 - -0.2440) < 1e-4 && abs(t.3 - -3.7097) < 1e-4)
    }

    @Test(arguments: [CoordinateOrder.xy, .yx])
    func encodeThenDecodeIsIdentity(order: CoordinateOrder) throws {
        let coding = BoxCoding(order: order, weights: [10, 10, 5, 5], sizeClamp: nil)
        let anchors = Self.anchors([[10, 20, 40, 60], [0, 0, 100, 100]], order: order)
        let encoder = try BoxEncoder(coding)
        let box: (Float, Float, Float, Float) = (12, 25, 35, 70)
        var codes: [Float] = []
        for i in 0..<2 {
            let a = anchors.values[(4 * i)..<(4 * i + 4)].map { $0 }
            let t = encoder.encode(box, anchor: (a[0], a[1], a[2], a[3]))
            codes += [t.0, t.1, t.2, t.3]
        }
        let decoded = try BoxDecoder(coding).decode(codes, anchors: anchors)
        for (d, e) in zip(decoded, [12, 25, 35, 70, 12, 25, 35, 70] as [Float]) { #expect(abs(d - e) < 1e-4, "\(order): \(decoded)") }
    }

    @Test func thresholdAndForcedMatches() {
        // A0 IoU 1 and A1 IoU 100/120 with g0; g1 overlaps A2 with IoU 25/175 < 0.5 but is forced onto it; A3 empty.
        let anchors = Self.anchors([[0, 0, 10, 10], [0, 0, 10, 12], [50, 50, 60, 60], [80, 80, 90, 90]])
        let truth = ImageGroundTruth(boxes: [0, 0, 10, 10, 55, 55, 65, 65], labels: [3, 1])
        #expect(AnchorMatcher().match(truth, anchors: anchors) == [0, 0, 1, -1])
        let below = AnchorMatcher(threshold: 0.9).match(truth, anchors: anchors)
        #expect(below == [0, -1, 1, -1])
    }

    @Test func tiesTakeTheFirstIndex() {
        // g0 overlaps A0 and A1 equally (IoU 0.5 each): both pass the threshold; the forced anchor is the first.
        // A2 is equally good for g1 and g2 (IoU 0.5): the per-anchor best is the first object, but forcing runs
        // over objects in order, so the later object (g2) ends up owning A2.
        let anchors = Self.anchors([[0, 0, 10, 10], [5, 0, 15, 10], [40, 40, 50, 50]])
        let truth = ImageGroundTruth(boxes: [0, 0, 15, 10, 40, 40, 50, 60, 40, 30, 50, 50], labels: [1, 2, 3])
        #expect(AnchorMatcher.iouMatrix(truth, anchors: anchors)[0][0] == AnchorMatcher.iouMatrix(truth, anchors: anchors)[0][1])
        #expect(AnchorMatcher().match(truth, anchors: anchors) == [0, 0, 2])
    }

    @Test func collisionLaterObjectWinsCaffeGivesDistinctAnchors() {
        // Both objects' best anchor is A0; torchvision forces A0 to g1 (later wins), and A1's best object is g1
        // (IoU 64/116 against 63/118), so g0 is left without any anchor. Caffe's bipartite step gives A0 to g0
        // (IoU 0.81 is the global maximum), then A1 to g1.
        let anchors = Self.anchors([[0, 0, 10, 10], [2, 0, 12, 10], [60, 60, 70, 70]])
        let truth = ImageGroundTruth(boxes: [0, 0, 9, 9, 0, 0, 10, 8], labels: [1, 2])
        let iou = AnchorMatcher.iouMatrix(truth, anchors: anchors)
        #expect(iou[0][0] == 0.81 && iou[1][0] == 0.8)
        #expect(AnchorMatcher().match(truth, anchors: anchors) == [1, 1, -1])
        #expect(AnchorMatcher(strategy: .caffeBipartite).match(truth, anchors: anchors) == [0, 1, -1])
    }

    @Test func imageWithoutObjectsIsBackground() throws {
        let anchors = Self.anchors([[0, 0, 10, 10], [5, 5, 20, 20]])
        let targets = AnchorTargets(
            groundTruth: ImageGroundTruth(boxes: [], labels: []), anchors: anchors, matcher: AnchorMatcher(),
            encoder: try BoxEncoder(BoxCoding(order: .xy, weights: [10, 10, 5, 5], sizeClamp: nil)))
        #expect(targets.classes == [0, 0] && targets.regressions == [Float](repeating: 0, count: 8) && targets.positiveCount == 0)
    }

    @Test func pixelBoxesMoveIntoTheAnchorFrame() {
        let yx = AnchorSet(values: [0, 0, 1, 1], order: .yx, frameWidth: 1, frameHeight: 1)
        let truth = ImageGroundTruth(pixelBoxes: [10, 20, 30, 40], labels: [1], width: 100, height: 200, anchors: yx)
        #expect(truth.boxes == [0.1, 0.1, 0.2, 0.3])
    }
}
