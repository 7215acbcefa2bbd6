import Detection
import ModelStore
import Testing

@Suite("Default boxes against the numbers of the reference implementations")
struct AnchorSetTests {
    static let tensorFlowPerson = TensorFlowAnchors(
        minScale: 0.2, maxScale: 0.95, aspectRatios: [1, 2, 0.5, 3, 0.3333], reduceBoxesInLowestLayer: true,
        interpolatedScaleAspectRatio: 1, featureMapSizes: [[19, 19], [10, 10], [5, 5], [3, 3], [2, 2], [1, 1]])

    static let torchvision300 = DefaultBoxes(
        flavor: "torchvision", featureMapSizes: [38, 19, 10, 5, 3, 1], aspectRatios: [[2], [2, 3], [2, 3], [2, 3], [2], [2]],
        scales: [0.07, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05], steps: [8, 16, 32, 64, 100, 300], clip: true)

    static let caffeVOC300 = DefaultBoxes(
        flavor: "caffe", featureMapSizes: [38, 19, 10, 5, 3, 1], aspectRatios: [[2], [2, 3], [2, 3], [2, 3], [2], [2]],
        scales: [30, 60, 111, 162, 213, 264, 60, 111, 162, 213, 264, 315], steps: [8, 16, 32, 64, 100, 300], clip: false)

    private func box(_ anchors: AnchorSet, _ i: Int) -> [Float] { Array(anchors.values[i * 4..<i * 4 + 4]) }

    private func close(_ a: [Float], _ b: [Float], _ tolerance: Float) -> Bool {
        zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test("TF SSDLite: 1917 anchors, first-location and last-level boxes of ssd.md §7.5")
    func tensorFlow() throws {
        let anchors = try AnchorSet(.tensorFlowMultipleGrid(Self.tensorFlowPerson), inputWidth: 300, inputHeight: 300)
        #expect(anchors.count == 1917)
        #expect(anchors.order == .yx)
        #expect(close(box(anchors, 0), [-0.023684, -0.023684, 0.076316, 0.076316], 1e-6))
        #expect(close(box(anchors, 1), [-0.044395, -0.115106, 0.097026, 0.167737], 1e-6))
        #expect(close(box(anchors, 2), [-0.115106, -0.044395, 0.167737, 0.097026], 1e-6))
        #expect(close(box(anchors, 1911), [0.025, 0.025, 0.975, 0.975], 1e-6))
        #expect(close(box(anchors, 1914), [0.225759, -0.322724, 0.774241, 1.322724], 1e-6))
        #expect(close(box(anchors, 1915), [-0.322765, 0.225772, 1.322765, 0.774228], 1e-6))
        #expect(close(box(anchors, 1916), [0.01266, 0.01266, 0.98734, 0.98734], 1e-6))
        #expect(AnchorSet.boxesPerLocation(.tensorFlowMultipleGrid(Self.tensorFlowPerson)) == [3, 6, 6, 6, 6, 6])
    }

    @Test("torchvision SSD300: 8732 boxes in pixels, clamped w/h at the last level (ssd.md §2.2)")
    func torchvision() throws {
        let anchors = try AnchorSet(.ssdDefaultBoxes(Self.torchvision300), inputWidth: 300, inputHeight: 300)
        #expect(anchors.count == 8732)
        #expect(close(box(anchors, 0), [-6.5, -6.5, 14.5, 14.5], 1e-5))
        #expect(close(box(anchors, 1), [-11.370427, -11.370427, 19.370426, 19.370426], 1e-4))
        #expect(close(box(anchors, 2), [-10.849242, -3.424621, 18.849241, 11.424622], 1e-4))
        #expect(close(box(anchors, 4), [1.5, -6.5, 22.5, 14.5], 1e-5))
        #expect(close(box(anchors, 5776 + 0), [-14.5, -14.5, 30.5, 30.5], 1e-5))
        #expect(close(box(anchors, 8728), [19.5, 19.5, 280.5, 280.5], 1e-4))
        #expect(close(box(anchors, 8730), [0, 57.72257, 300, 242.27744], 1e-4))
        #expect(close(box(anchors, 8731), [57.72257, 0, 242.27744, 300], 1e-4))
    }

    @Test("Caffe VOC SSD300 priors, normalised (ssd.md §2.2)")
    func caffe() throws {
        let anchors = try AnchorSet(.ssdDefaultBoxes(Self.caffeVOC300), inputWidth: 300, inputHeight: 300)
        #expect(anchors.count == 8732)
        #expect(close(box(anchors, 0), [-0.036667, -0.036667, 0.063333, 0.063333], 1e-6))
        #expect(close(box(anchors, 1), [-0.057377, -0.057377, 0.084044, 0.084044], 1e-6))
        #expect(close(box(anchors, 2), [-0.057377, -0.022022, 0.084044, 0.048689], 1e-6))
        #expect(close(box(anchors, 8728), [0.06, 0.06, 0.94, 0.94], 1e-6))
        #expect(close(box(anchors, 8730), [-0.122254, 0.188873, 1.122254, 0.811127], 1e-6))
    }

    @Test func badConfiguration() {
        var broken = Self.torchvision300
        broken.scales.removeLast()
        #expect(throws: DetectionError.unsupportedAnchors("torchvision default boxes need 6 ratio lists and steps and 7 scales")) {
            try AnchorSet(.ssdDefaultBoxes(broken), inputWidth: 300, inputHeight: 300)
        }
    }
}
