import Imaging
import Testing

@Suite("Preprocessing straight into caller storage")
struct ImagePreprocessorTests {
    static let torchvisionAffine = BilinearResizer.ChannelAffine(
        scale: (1 / (255 * 0.229), 1 / (255 * 0.224), 1 / (255 * 0.225)), offset: (-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225))
    static let tensorFlowAffine = BilinearResizer.ChannelAffine(scale: (2 / 255, 2 / 255, 2 / 255), offset: (-1, -1, -1))

    /// Every combination a model manifest can describe.
    static let preprocessors: [(BilinearResizer.Convention, BilinearResizer.ChannelAffine, Bool)] = [
        (.halfPixel, torchvisionAffine, true), (.halfPixel, tensorFlowAffine, false),
        (.tensorFlowLegacy, tensorFlowAffine, false), (.tensorFlowLegacy, torchvisionAffine, true),
    ]

    static func written(_ preprocessor: ImagePreprocessor, _ image: RGBImage) -> [Float] {
        var values = [Float](repeating: .nan, count: preprocessor.valueCount)
        values.withUnsafeMutableBufferPointer { preprocessor.write(image, into: $0) }
        return values
    }

    @Test("resizing into storage gives the bits of the array-returning resize")
    func resizedBitsMatch() {
        let image = BilinearResizerTests.source(width: 37, height: 23)
        for (convention, affine, before) in Self.preprocessors {
            for (w, h) in [(16, 12), (64, 40), (37, 22)] {
                let preprocessor = ImagePreprocessor(width: w, height: h, convention: convention, affine: affine, affineBeforeResize: before)
                let expected = BilinearResizer.resize(image, width: w, height: h, convention: convention, affine: affine, affineBeforeResize: before)
                #expect(Self.written(preprocessor, image).map(\.bitPattern) == expected.map(\.bitPattern), "\(convention) \(w)×\(h)")
            }
        }
    }

    @Test("an image at the input size skips sampling and still gives the bits of resampling")
    func sameSizeBitsMatch() {
        let image = BilinearResizerTests.source(width: 19, height: 11)
        for (convention, affine, before) in Self.preprocessors {
            let preprocessor = ImagePreprocessor(width: 19, height: 11, convention: convention, affine: affine, affineBeforeResize: before)
            let resampled = BilinearResizer.resize(image, width: 19, height: 11, convention: convention, affine: affine, affineBeforeResize: before)
            #expect(Self.written(preprocessor, image).map(\.bitPattern) == resampled.map(\.bitPattern), "\(convention)")
        }
    }

    @Test("the affine map of an image at the input size, value by value")
    func sameSizeAffine() {
        let image = RGBImage(width: 2, height: 1, pixels: [0, 255, 128, 10, 20, 30])
        let preprocessor = ImagePreprocessor(
            width: 2, height: 1, convention: .tensorFlowLegacy, affine: Self.tensorFlowAffine, affineBeforeResize: false)
        let expected: [Float] = [0, 255, 128, 10, 20, 30].map { Float($0) * (2 / 255) - 1 }
        #expect(Self.written(preprocessor, image) == expected)
        #expect(preprocessor.valueCount == 6)
    }
}
