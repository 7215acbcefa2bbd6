import Foundation
import ModelStore
import Testing

@testable import ModelImport

/// The anchor parameters the importer recognises reproduce the graph's own anchors (`Concatenate/concat`, fixture
/// `anchors.f32` from tools/tf_ssdlite_golden.py) bit for bit with the float32 recipe of ssd.md §7.9 step 7.
@Suite struct AnchorFixtureTests {
    /// ssd.md §7.9 step 7 — a test helper only; the product's generator lives in the Detection module.
    static func anchors(_ parameters: TensorFlowAnchors) -> [Float] {
        var result: [Float] = []
        for (level, specs) in TensorFlowAnchorExtraction.regeneratedSpecs(parameters).enumerated() {
            let grid = parameters.featureMapSizes[level]
            let strideY = Float(1) / Float(grid[0])
            let strideX = Float(1) / Float(grid[1])
            for row in 0..<grid[0] {
                for column in 0..<grid[1] {
                    let centreY = Float(row) * strideY + 0.5 * strideY
                    let centreX = Float(column) * strideX + 0.5 * strideX
                    for spec in specs {
                        let root = spec.ratio.squareRoot()
                        let height = spec.scale / root
                        let width = spec.scale * root
                        result += [centreY - 0.5 * height, centreX - 0.5 * width, centreY + 0.5 * height, centreX + 0.5 * width]
                    }
                }
            }
        }
        return result
    }

    static let documented = TensorFlowAnchors(
        minScale: 0.2, maxScale: 0.95, aspectRatios: [1, 2, 0.5, 3, 0.3333], reduceBoxesInLowestLayer: true,
        interpolatedScaleAspectRatio: 1, featureMapSizes: [[19, 19], [10, 10], [5, 5], [3, 3], [2, 2], [1, 1]])

    static func assertBitExact(_ parameters: TensorFlowAnchors) throws {
        let expected = try SharedFixtures.floats("anchors.f32")
        let actual = anchors(parameters)
        #expect(actual.count == 1917 * 4 && expected.count == 1917 * 4)
        let first = zip(actual, expected).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(first == nil, "first mismatch at \(first.map { "\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "")")
    }

    /// The stored per-level scale constants of ssd.md §7.5 follow from the documented parameters.
    @Test func regeneratedSpecsMatchDocumentedConstants() {
        let specs = TensorFlowAnchorExtraction.regeneratedSpecs(Self.documented)
        #expect(specs.map(\.count) == [3, 6, 6, 6, 6, 6])
        #expect(specs[0].map(\.scale) == [0.1, 0.2, 0.2])
        #expect(specs[3].map(\.scale).last == Float(0.7211102247238159))
        #expect(specs[1].map(\.ratio) == [1, 2, 0.5, 3, Float(0.33329999446868896), 1])
    }

    @Test func documentedParametersReproduceFixture() throws {
        try Self.assertBitExact(Self.documented)
    }

    @Test(.enabled(if: RealGraph.isAvailable, "needs frozen_inference_graph.pb"))
    func extractedParametersReproduceFixture() throws {
        guard case .tensorFlowMultipleGrid(let parameters) = try RealGraph.model().manifest.anchors else {
            Issue.record("not TF anchors")
            return
        }
        try Self.assertBitExact(parameters)
    }
}
