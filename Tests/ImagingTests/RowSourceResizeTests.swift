import Synchronization
import Testing

@testable import Imaging

@Suite("Resizing from a row source: the rows the resize reads, each once, and the bits of resizing the image")
struct RowSourceResizeTests {
    /// A source that hands out its image's rows through a scratch row it overwrites on every call (as a converting
    /// source does), and records which rows were asked for and whether the whole image was.
    final class RecordingSource: RGBRowSource {
        let picture: RGBImage
        private let log = Mutex<(rows: [Int], wholeImage: Int)>(([], 0))

        init(_ picture: RGBImage) { self.picture = picture }

        var width: Int { picture.width }
        var height: Int { picture.height }
        var rows: [Int] { log.withLock { $0.rows } }
        var wholeImageReads: Int { log.withLock { $0.wholeImage } }

        var image: RGBImage {
            log.withLock { $0.wholeImage += 1 }
            return picture
        }

        func withRows<Result>(_ body: (_ row: (Int) -> UnsafePointer<UInt8>) throws -> Result) rethrows -> Result {
            let stride = width * 3
            return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: stride) { scratch in
                try picture.pixels.withUnsafeBufferPointer { pixels in
                    try body { y in
                        log.withLock { $0.rows.append(y) }
                        // The previous row's bytes are gone, as they are in a converting source's scratch.
                        _ = scratch.initialize(from: pixels[(y * stride)..<((y + 1) * stride)])
                        return UnsafePointer(scratch.baseAddress!)
                    }
                }
            }
        }
    }

    static func picture(width: Int, height: Int) -> RGBImage {
        RGBImage(width: width, height: height) { x, y in
            (UInt8((x * 37 + y * 11) % 256), UInt8((x * x + 3 * y) % 256), UInt8((x * y * 5 + 17) % 256))
        }
    }

    static let affine = BilinearResizer.ChannelAffine(scale: (1 / 127.5, 0.017, 0.0175), offset: (-1, -2.1, -1.8))

    @Test(
        "both bilinear conventions, vector and portable rows, affine before and after, down and up: the same floats as from the image, reading only sampled rows, ascending, once each",
        arguments: [(192, 108, 30, 30), (96, 54, 300, 300), (41, 37, 40, 36), (300, 300, 300, 300), (7, 640, 5, 3)])
    func rowsMatchTheImage(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) {
        let picture = Self.picture(width: sourceWidth, height: sourceHeight)
        for convention in [BilinearResizer.Convention.halfPixel, .tensorFlowLegacy] {
            for vector in [false, BilinearResizer.VectorRows.isSupported] {
                for affineFirst in [false, true] {
                    let expected = [Float](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
                        BilinearResizer.resize(
                            picture, width: width, height: height, convention: convention, affine: Self.affine,
                            affineBeforeResize: affineFirst, vectorRows: vector, into: buffer)
                        count = buffer.count
                    }
                    let source = RecordingSource(picture)
                    let resized = [Float](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
                        BilinearResizer.resize(
                            source, width: width, height: height, convention: convention, affine: Self.affine,
                            affineBeforeResize: affineFirst, vectorRows: vector, into: buffer)
                        count = buffer.count
                    }
                    let label = "\(sourceWidth)×\(sourceHeight) → \(width)×\(height) \(convention) vector \(vector) affine first \(affineFirst)"
                    #expect(resized.map(\.bitPattern) == expected.map(\.bitPattern), "\(label)")
                    let taps = BilinearResizer.AxisTaps(input: sourceHeight, output: height, convention: convention)
                    let sampled = Set(taps.lower + taps.upper).sorted()
                    #expect(source.rows == sampled, "\(label): rows read")
                    #expect(source.wholeImageReads == 0, "\(label)")
                }
            }
        }
    }

    @Test("a 1080-row frame resized to 300 rows reads at most 600 of its rows")
    func readsAFractionOfTheRows() {
        let source = RecordingSource(Self.picture(width: 64, height: 1080))
        let preprocessor = ImagePreprocessor(
            width: 300, height: 300, convention: .tensorFlowLegacy, affine: Self.affine, affineBeforeResize: false)
        var values = [Float](repeating: 0, count: preprocessor.valueCount)
        values.withUnsafeMutableBufferPointer { preprocessor.write(source, into: $0) }
        #expect(source.rows.count <= 600 && source.rows.count > 300)
        #expect(source.wholeImageReads == 0)
    }

    @Test("OpenCV's resize and an image already at the input size take the whole image, with the image's values")
    func wholeImagePaths() {
        for (convention, size) in [(BilinearResizer.Convention.openCVLinear, 20), (.tensorFlowLegacy, 32)] {
            let picture = Self.picture(width: 32, height: 32)
            let preprocessor = ImagePreprocessor(
                width: size, height: size, convention: convention, affine: Self.affine, affineBeforeResize: false, reversesChannels: true)
            var expected = [Float](repeating: 0, count: preprocessor.valueCount), resized = expected
            expected.withUnsafeMutableBufferPointer { preprocessor.write(picture, into: $0) }
            let source = RecordingSource(picture)
            resized.withUnsafeMutableBufferPointer { preprocessor.write(source, into: $0) }
            #expect(resized.map(\.bitPattern) == expected.map(\.bitPattern), "\(convention) to \(size)")
            #expect(source.wholeImageReads == 1 && source.rows.isEmpty, "\(convention) to \(size)")
        }
    }
}
