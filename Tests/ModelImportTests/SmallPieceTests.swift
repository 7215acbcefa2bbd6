import Foundation
import Testing

@testable import ModelImport

/// Folding arithmetic, weight layouts, labels and the digest, on hand-computed cases.
@Suite struct SmallPieceTests {
    @Test func batchNormFolding() {
        // Two output channels, two weights each.
        let folded = BatchNormFolding.fold(
            weights: [1, 2, 3, 4], bias: nil, gamma: [2, 1], beta: [0.5, -1], mean: [1, 0], variance: [3.999, 0.999],
            epsilon: 0.001)
        let eps = Double(Float(0.001))
        let s0 = 2 / (Double(Float(3.999)) + eps).squareRoot()
        let s1 = 1 / (Double(Float(0.999)) + eps).squareRoot()
        #expect(folded.weights == [Float(1 * s0), Float(2 * s0), Float(3 * s1), Float(4 * s1)])
        #expect(folded.bias == [Float(0.5 - 1 * s0), Float(-1 - 0 * s1)])
    }

    @Test func weightLayouts() {
        // HWIO [kh 1, kw 2, in 2, out 3]: value = 100·x + 10·i + o.
        let hwio: [Float] = [0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]
        let oihw = WeightLayout.oihw(fromHWIO: hwio, kernelHeight: 1, kernelWidth: 2, inChannels: 2, outChannels: 3)
        #expect(oihw == [0, 100, 10, 110, 1, 101, 11, 111, 2, 102, 12, 112])
        // Depthwise [kh 2, kw 1, in 2, multiplier 2]: value = 100·y + 10·c + m → output channel c·2 + m.
        let depthwise: [Float] = [0, 1, 10, 11, 100, 101, 110, 111]
        let dw = WeightLayout.oihw(fromDepthwise: depthwise, kernelHeight: 2, kernelWidth: 1, inChannels: 2, multiplier: 2)
        #expect(dw == [0, 100, 1, 101, 10, 110, 11, 111])
    }

    @Test func labels() throws {
        #expect(try DefaultLabels.resolve(nil, slots: 2, file: "f") == ["background", "person"])
        let coco = try DefaultLabels.resolve(nil, slots: 91, file: "f")
        #expect(coco.count == 91 && coco[1] == "person" && coco[12] == "N/A" && coco[90] == "toothbrush")
        #expect(try DefaultLabels.resolve(["car", "bus"], slots: 3, file: "f") == ["background", "car", "bus"])
        #expect(try DefaultLabels.resolve(["bg", "car", "bus"], slots: 3, file: "f") == ["bg", "car", "bus"])
        #expect(throws: ModelImportError.labelCount(file: "f", slots: 3, given: 1)) {
            try DefaultLabels.resolve(["car"], slots: 3, file: "f")
        }
        #expect(throws: ModelImportError.noDefaultLabels(file: "f", slots: 5)) { try DefaultLabels.resolve(nil, slots: 5, file: "f") }
        #expect(
            ModelImportError.labelCount(file: "f", slots: 3, given: 1).description
                == "'f': the model has 3 class slots (background included) but 1 labels were given; pass 3 labels, or 2 without the background")
    }
}
