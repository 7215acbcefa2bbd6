import Digests
import Foundation
import TestSupport
import Testing

/// The seeded Caffe weights regenerate bit for bit: the caffemodel TestSupport writes from a fixture's recipe is
/// the file tools/caffe_ssd_fixtures.py wrote and OpenCV read (same size and SHA-256).
@Suite("Caffe fixture weights regenerate the Python tool's caffemodel")
struct CaffeModelRecipeTests {
    @Test("same bytes (size and SHA-256) as the tool's caffemodel", arguments: ["mobilenet_ssd_voc", "ssd300_vgg16_voc"])
    func sameBytes(model: String) throws {
        let golden = try CaffeFixtures.golden(model)
        let data = CaffeFixtures.caffemodel(golden)
        #expect(data.count == golden.caffemodel_bytes)
        #expect(try SHA256Digest.hexadecimal(of: data) == golden.caffemodel_sha256)
    }

    @Test("the recipe's first values (splitmix64 keyed by FNV-1a of name and blob index)")
    func firstValues() {
        let recipe = CaffeWeightRecipe(layer: "conv0", type: "Convolution", index: 0, shape: [2, 2], amplitude: 1)
        let values = recipe.values()
        #expect(values.count == 4 && values.allSatisfy { $0 >= -1 && $0 < 1 })
        #expect(Set(values).count == 4)
        let shifted = CaffeWeightRecipe(layer: "conv0", type: "Convolution", index: 0, shape: [4], amplitude: 1, period: 2, shift: 10).values()
        #expect(shifted[0] == values[0] + 10 && shifted[1] == values[1] && shifted[2] == values[2] + 10)
    }
}
