import Detection
import ModelStore
import Testing

@Suite("Box decoding (ssd.md §3 goldens)")
struct BoxDecoderTests {
    @Test("torchvision BoxCoder(10, 10, 5, 5) with the exp clamp")
    func torchvision() throws {
        let decoder = try BoxDecoder(BoxCoding(order: .xy, weights: [10, 10, 5, 5], sizeClamp: 4.135166556742356))
        let anchors = AnchorSet(
            values: [-6.5, -6.5, 14.5, 14.5, 19.5, 19.5, 280.5, 280.5, -6.5, -6.5, 14.5, 14.5], order: .xy, frameWidth: 300, frameHeight: 300)
        let boxes = try decoder.decode([1, -1, 0.5, -0.5, 0, 0, 0, 0, 0, 0, 30, 30], anchors: anchors)
        let expected: [Float] = [-5.5043, -7.6008, 17.7043, 11.4008, 19.5, 19.5, 280.5, 280.5, -652.25, -652.25, 660.25, 660.25]
        for (got, want) in zip(boxes, expected) { #expect(abs(got - want) < 1e-3, "\(boxes)") }
    }

    @Test("TF FasterRcnnBoxCoder, y-first, as the frozen graph's decoder computes it")
    func tensorFlow() throws {
        let decoder = try BoxDecoder(BoxCoding(order: .yx, weights: [10, 10, 5, 5], sizeClamp: nil))
        let c = Float(0.5) / 19
        let anchors = AnchorSet(values: [c - 0.05, c - 0.05, c + 0.05, c + 0.05], order: .yx, frameWidth: 1, frameHeight: 1)
        let boxes = try decoder.decode([1, -1, 0.5, -0.5], anchors: anchors)
        let expected: [Float] = [-0.01894276, -0.02892608, 0.09157434, 0.06155766]
        for (got, want) in zip(boxes, expected) { #expect(abs(got - want) < 2e-7, "\(boxes)") }
    }

    @Test func mismatchedCounts() throws {
        let decoder = try BoxDecoder(BoxCoding(order: .yx, weights: [10, 10, 5, 5], sizeClamp: nil))
        let anchors = AnchorSet(values: [0, 0, 1, 1], order: .yx, frameWidth: 1, frameHeight: 1)
        #expect(throws: DetectionError.outputMismatch("2 box regressions for 1 anchors")) {
            try decoder.decode([Float](repeating: 0, count: 8), anchors: anchors)
        }
    }
}
