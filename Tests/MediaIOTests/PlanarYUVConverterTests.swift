import CFFmpeg
import Imaging
import TestSupport
import Testing

@testable import MediaIO

@Suite("Planar YUV → RGB24 without libswscale, byte for byte libswscale's")
struct PlanarYUVConverterTests {
    /// The formats the built-in path converts, with their chroma shifts.
    static let formats: [(AVPixelFormat, (x: Int, y: Int))] = [
        (AV_PIX_FMT_YUV420P, (1, 1)), (AV_PIX_FMT_YUV422P, (1, 0)), (AV_PIX_FMT_YUV444P, (0, 0)),
    ]

    /// A planar YUV frame (4:2:0 unless `format` says otherwise) of random samples (`seed`), with flat black and white
    /// corners to reach the clipping.
    static func frame(
        width: Int, height: Int, seed: UInt64, fullRange: Bool, format: AVPixelFormat = AV_PIX_FMT_YUV420P
    ) -> UnsafeMutablePointer<AVFrame> {
        let shift = formats.first { $0.0 == format }!.1
        let frame = av_frame_alloc()!
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.format = format.rawValue
        frame.pointee.color_range = fullRange ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        precondition(av_frame_get_buffer(frame, 0) >= 0)
        var random = SplitMix64(seed: seed)
        let planes = [
            (frame.pointee.data.0!, Int(frame.pointee.linesize.0), width, height),
            (frame.pointee.data.1!, Int(frame.pointee.linesize.1), (width + shift.x) >> shift.x, (height + shift.y) >> shift.y),
            (frame.pointee.data.2!, Int(frame.pointee.linesize.2), (width + shift.x) >> shift.x, (height + shift.y) >> shift.y),
        ]
        for (index, (data, stride, w, h)) in planes.enumerated() {
            for y in 0..<h {
                for x in 0..<w {
                    let sample = UInt8(truncatingIfNeeded: random.next() >> 56)
                    if x < w / 4 && y < h / 4 {
                        data[y * stride + x] = index == 0 ? 0 : 255
                    } else if x >= w - w / 4 && y >= h - h / 4 {
                        data[y * stride + x] = index == 0 ? 255 : 0
                    } else {
                        data[y * stride + x] = sample
                    }
                }
            }
        }
        return frame
    }

    static func free(_ frame: UnsafeMutablePointer<AVFrame>) {
        var pointer: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&pointer)
    }

    static func direct(
        _ frame: UnsafeMutablePointer<AVFrame>, chromaShift: (x: Int, y: Int) = (1, 1), fullRange: Bool, usesPairs: Bool = true
    ) -> [UInt8] {
        let f = frame.pointee
        let converter = PlanarYUVConverter(
            width: Int(f.width), height: Int(f.height), chromaShift: chromaShift, fullRange: fullRange, usesPairs: usesPairs)!
        return [UInt8](unsafeUninitializedCapacity: Int(f.width * f.height) * 3) { buffer, count in
            converter.convert(
                luma: f.data.0!, lumaStride: Int(f.linesize.0), u: f.data.1!, uStride: Int(f.linesize.1), v: f.data.2!,
                vStride: Int(f.linesize.2), into: buffer.baseAddress!)
            count = buffer.count
        }
    }

    static let sizes = [
        (640, 480), (641, 481), (1, 1), (2, 2), (3, 3), (5, 7), (17, 9), (300, 300), (1280, 720), (1920, 1080), (16, 2), (2, 16),
        (33, 1), (1, 33), (352, 288), (720, 576),
    ]

    @Test(
        "the same bytes as sws_scale at every size, limited and full range, with either form of the chroma filter",
        arguments: [false, true], [true, false])
    func sameBytes(fullRange: Bool, usesPairs: Bool) throws {
        for (format, shift) in Self.formats {
            for (index, (width, height)) in Self.sizes.enumerated() {
                let frame = Self.frame(width: width, height: height, seed: UInt64(index), fullRange: fullRange, format: format)
                defer { Self.free(frame) }
                let reference = try PixelConverter(allowsFastPath: false).convert(frame, width: width, height: height, input: "test")
                let ours = Self.direct(frame, chromaShift: shift, fullRange: fullRange, usesPairs: usesPairs)
                let first = ours.indices.first { reference.pixels[$0] != ours[$0] }
                #expect(
                    first == nil,
                    "\(PixelConverter.name(of: format)) \(width)×\(height): first difference at byte \(first ?? -1) (pixel \((first ?? 0) / 3))")
            }
        }
    }

    @Test("a range the frame does not carry gives other bytes (the comparison can fail)")
    func wrongRangeDiffers() throws {
        let frame = Self.frame(width: 64, height: 48, seed: 7, fullRange: false)
        defer { Self.free(frame) }
        let reference = try PixelConverter(allowsFastPath: false).convert(frame, width: 64, height: 48, input: "test")
        #expect(Self.direct(frame, fullRange: true) != reference.pixels)
    }

    @Test("the chroma filters: weights sum to one, taps inside the plane, positions never decrease")
    func filters() {
        for (width, height) in Self.sizes {
            for (source, destination, alignment, one) in [((width + 1) / 2, width, 4, 1 << 14), ((height + 1) / 2, height, 2, 1 << 12)] {
                let filter = SwscaleFilter(
                    increment: SwscaleFilter.increment(source: source, destination: destination), source: source,
                    destination: destination, alignment: alignment, one: Int64(one), sourcePosition: 128, destinationPosition: 128)
                #expect(filter.size % alignment == 0 || filter.size == 1)
                for i in 0..<destination {
                    let taps = filter.weights[(i * filter.size)..<((i + 1) * filter.size)]
                    #expect(taps.reduce(0) { $0 + Int($1) } == one, "\(source) → \(destination), sample \(i)")
                    #expect(taps.allSatisfy { $0 >= 0 })
                    let last = taps.indices.last { taps[$0] != 0 } ?? taps.startIndex
                    #expect(filter.positions[i] >= 0 && Int(filter.positions[i]) + last - taps.startIndex < source)
                    if i > 0 { #expect(filter.positions[i] >= filter.positions[i - 1]) }
                }
            }
        }
    }

    @Test("the reader's converter: checked on the first frame, then the built-in path, the same bytes in both")
    func readerConverter() throws {
        let converter = PixelConverter()
        let reference = PixelConverter(allowsFastPath: false)
        // Full range after limited in one context: libswscale keeps the full range for later frames until the size or
        // format changes, and the built-in path follows it.
        let (i420, i422, i444) = (AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV444P)
        let sequence = [
            (640, 480, false, i420), (640, 480, false, i420), (640, 480, true, i420), (640, 480, false, i420), (640, 480, false, i422),
            (640, 480, true, i422), (640, 480, false, i420), (320, 240, false, i444), (320, 240, true, i420),
        ]
        for (step, (width, height, full, format)) in sequence.enumerated() {
            let frame = Self.frame(width: width, height: height, seed: 100 + UInt64(step), fullRange: full, format: format)
            defer { Self.free(frame) }
            let ours = try converter.convert(frame, width: width, height: height, input: "test")
            let theirs = try reference.convert(frame, width: width, height: height, input: "test")
            #expect(ours.pixels == theirs.pixels, "step \(step)")
        }
        #expect(converter.notes.isEmpty)
    }

    @Test("a built-in conversion that disagrees with libswscale is caught on the first frame and left aside, with a note")
    func disagreementFallsBack() throws {
        // A deliberately wrong converter: the other range.
        let converter = PixelConverter(makeConverter: { PlanarYUVConverter(width: $0, height: $1, chromaShift: $2, fullRange: !$3) })
        let reference = PixelConverter(allowsFastPath: false)
        for step in 0..<3 {
            let frame = Self.frame(width: 96, height: 64, seed: 200 + UInt64(step), fullRange: false)
            defer { Self.free(frame) }
            let ours = try converter.convert(frame, width: 96, height: 64, input: "test")
            let theirs = try reference.convert(frame, width: 96, height: 64, input: "test")
            #expect(ours.pixels == theirs.pixels, "step \(step)")
        }
        #expect(converter.notes.count == 1)
        #expect(converter.notes.first?.contains("96×64") == true)
    }
}
