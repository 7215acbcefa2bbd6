import Evaluation
import Foundation
import Geometry
import Testing

/// Parity with the reference implementations on the fixture `tools/eval_golden.py` records: pycocotools 2.0.11
/// COCOeval for COCO, and py-faster-rcnn's `voc_eval.py` (run unmodified from the copy in detectron2-cdo 0.5's
/// source distribution) for VOC, with score ties broken in input order as the Swift port's stable sort does.
@Suite struct GoldenParityTests {
    struct Fixture: Decodable {
        struct Object: Decodable {
            var image: Int
            var label: String
            var box: [Double]
            var difficult: Bool
            var crowd: Bool
            var area: Double
            var id: Int
        }
        struct Prediction: Decodable {
            var image: Int
            var label: String
            var score: Double
            var box: [Double]
        }
        struct COCO: Decodable {
            var stats: [Double]
            var perClassAP: [String: Double?]
            var perClassAP50: [String: Double?]
        }
        struct VOC: Decodable {
            var elevenPoint: [String: Double?]
            var area: [String: Double?]
        }
        var labels: [String]
        var images: [String]
        var objects: [Object]
        var detections: [Prediction]
        var coco: COCO
        var voc: VOC
    }

    let fixture: Fixture
    let groundTruth: GroundTruthSet
    let detections: [ScoredDetection]

    init() throws {
        let url = try #require(Bundle.module.url(forResource: "eval_golden", withExtension: "json", subdirectory: "Fixtures"))
        fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        groundTruth = GroundTruthSet(
            images: fixture.images, labels: fixture.labels,
            objects: fixture.objects.map {
                GroundTruthObject(
                    imageID: String($0.image), label: $0.label, box: Box(x1: $0.box[0], y1: $0.box[1], x2: $0.box[2], y2: $0.box[3]),
                    difficult: $0.difficult, isCrowd: $0.crowd, area: $0.area, id: $0.id)
            })
        detections = fixture.detections.map {
            ScoredDetection(
                imageID: String($0.image), label: $0.label, score: $0.score, box: Box(x1: $0.box[0], y1: $0.box[1], x2: $0.box[2], y2: $0.box[3]))
        }
    }

    @Test func cocoStatsMatchPycocotools() throws {
        let result = try COCOEvaluator().evaluate(detections, groundTruth: groundTruth)
        let stats = result.stats
        for (i, name) in COCOResult.statNames.enumerated() {
            #expect(abs(stats[i] - fixture.coco.stats[i]) <= 1e-12, "\(name): \(stats[i]) vs pycocotools \(fixture.coco.stats[i])")
        }
        for label in fixture.labels {
            let expected = fixture.coco.perClassAP[label] ?? nil
            let actual = result.averagePrecision(of: label)
            #expect((actual == nil) == (expected == nil), "\(label)")
            if let actual, let expected { #expect(abs(actual - expected) <= 1e-12, "\(label): \(actual) vs \(expected)") }
            let expected50 = fixture.coco.perClassAP50[label] ?? nil
            if let actual50 = result.averagePrecision50(of: label), let expected50 {
                #expect(abs(actual50 - expected50) <= 1e-12, "\(label) AP50: \(actual50) vs \(expected50)")
            } else {
                #expect(expected50 == nil && result.averagePrecision50(of: label) == nil, "\(label) AP50")
            }
        }
    }

    @Test(arguments: VOCEvaluator.Metric.allCases)
    func vocAPMatchesFormula(metric: VOCEvaluator.Metric) throws {
        let result = try VOCEvaluator(metric: metric).evaluate(detections, groundTruth: groundTruth)
        let expected = metric == .elevenPoint ? fixture.voc.elevenPoint : fixture.voc.area
        for label in fixture.labels {
            let want = expected[label] ?? nil
            let got = result.averagePrecision[label] ?? nil
            #expect((got == nil) == (want == nil), "\(metric) \(label)")
            if let got, let want { #expect(abs(got - want) <= 1e-12, "\(metric) \(label): \(got) vs \(want)") }
        }
        let defined = fixture.labels.compactMap { expected[$0] ?? nil }
        #expect(abs(result.meanAveragePrecision - defined.reduce(0, +) / Double(defined.count)) <= 1e-12)
    }
}
