import Foundation
import ModelStore
import TestSupport
import Testing

@testable import ModelImport

/// The three deploy prototxts of tools/caffe_ssd_fixtures.py (SSD300-VGG16 VOC, SSD512-VGG16 VOC, MobileNet-SSD,
/// in the exact layer layouts of the released files) import with the expected architecture, input, head count,
/// feature maps and priors per level. The caffemodel holds the recipe's blob shapes filled with zeros: the values do
/// not change the structure (the parity tests in DetectionTests run the real recipe), and zeros keep this fast.
@Suite struct CaffeFixtureLayoutTests {
    struct Golden: Decodable {
        struct Priors: Decodable {
            let count: Int
            let feature_maps: [[Int]]
        }
        let net_name: String
        let input_size: Int
        let priors: Priors
        let recipe: [CaffeWeightRecipe]
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Caffe")

    static let cases: [(model: String, architecture: String, priorsPerLocation: [Int])] = [
        ("ssd300_vgg16_voc", "ssd300_vgg16_caffe", [4, 6, 6, 6, 4, 4]),
        ("ssd512_vgg16_voc", "ssd512_vgg16_caffe", [4, 6, 6, 6, 6, 4, 4]),
        ("mobilenet_ssd_voc", "mobilenet_ssd_caffe", [3, 6, 6, 6, 6, 6]),
    ]

    @Test(arguments: cases.map(\.model))
    func importsWithTheExpectedLayout(model: String) throws {
        let expected = try #require(Self.cases.first { $0.model == model })
        let golden = try JSONDecoder().decode(
            Golden.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("\(model).golden.json")))
        var layers: [CaffeModelWriter.Layer] = []
        for recipe in golden.recipe {
            if layers.last?.name != recipe.layer { layers.append(.init(name: recipe.layer, type: recipe.type, blobs: [])) }
            layers[layers.count - 1].blobs.append((recipe.shape, [Float](repeating: 0, count: recipe.count)))
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let weights = directory.file("\(model).caffemodel")
        try CaffeModelWriter.data(netName: golden.net_name, layers: layers).write(to: weights)
        let imported = try importCaffeModel(
            prototxt: Self.fixtures.appendingPathComponent("\(model).prototxt"), weights: weights, labels: nil, overrides: .none)
        let manifest = imported.manifest
        #expect(manifest.architecture == expected.architecture)
        #expect(imported.graph.inputShape == [golden.input_size, golden.input_size, 3])
        #expect(manifest.heads.count == expected.priorsPerLocation.count)
        #expect(imported.graph.outputs.count == 2 * expected.priorsPerLocation.count)
        guard case .caffePriorBoxes(let priors) = manifest.anchors else {
            Issue.record("anchors are \(manifest.anchors)")
            return
        }
        #expect(priors.map(\.priorsPerLocation) == expected.priorsPerLocation)
        #expect(priors.map { [$0.featureMapHeight, $0.featureMapWidth] } == golden.priors.feature_maps)
        #expect(imported.statistics.anchorCount == golden.priors.count)
        #expect(manifest.labels == DefaultLabels.voc)
        let p = manifest.preprocessing
        #expect(p.channelOrder == .bgr && p.resize == .openCVLinear)
        if model.hasPrefix("mobilenet") {
            #expect(p.scale == [0.007843, 0.007843, 0.007843])
        } else {
            #expect(p.scale == [1, 1, 1] && p.offset == [-104, -117, -123])
        }
        // Every blob of the recipe was consumed.
        #expect(imported.statistics.sourceParameterCount == golden.recipe.reduce(0) { $0 + $1.count })
    }
}
