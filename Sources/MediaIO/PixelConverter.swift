import CFFmpeg
import Imaging

/// Converts decoded frames to packed RGB24 with libswscale, at the source size or scaled.
///
/// Owns one `SwsContext`, which must never be shared between threads (it crashes libswscale); keep one converter
/// per reader. Full-range "J" YUV formats are mapped to their plain twins with the range set explicitly, so the
/// context is not rebuilt on every frame.
final class PixelConverter {
    /// Scaling algorithm for the swscale path.
    private let flags: Int32
    private var context: OpaquePointer?

    init(flags: Int32 = Int32(SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT)) {
        self.flags = flags
    }

    deinit { sws_freeContext(context) }

    /// Converts `frame` into a new RGB image of `width × height` pixels.
    func convert(_ frame: UnsafePointer<AVFrame>, width: Int, height: Int, input: String) throws(MediaError) -> RGBImage {
        let sourceFormat = AVPixelFormat(rawValue: frame.pointee.format)
        let (format, fullRange) = Self.unJPEG(sourceFormat)
        let sourceWidth = frame.pointee.width
        let sourceHeight = frame.pointee.height
        context = sws_getCachedContext(
            context, sourceWidth, sourceHeight, format, Int32(width), Int32(height), AV_PIX_FMT_RGB24, flags,
            nil, nil, nil)
        guard let context else {
            throw MediaError(.stream, input: input, message: "cannot convert \(Self.name(of: sourceFormat)) \(sourceWidth)×\(sourceHeight) to RGB")
        }
        if fullRange || frame.pointee.color_range == AVCOL_RANGE_JPEG {
            let table = sws_getCoefficients(SWS_CS_DEFAULT)
            sws_setColorspaceDetails(context, table, 1, table, 1, 0, 1 << 16, 1 << 16)
        }
        // sws_scale writes every byte of the rows it reports; fewer rows than `height` throw below, so no byte of the
        // image is read before swscale wrote it (a zero fill first cost a 640×480 frame about 1.7 % of its decode).
        var rows: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, initialized in
            initialized = buffer.count
            var destination: [UnsafeMutablePointer<UInt8>?] = [buffer.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(width * 3), 0, 0, 0]
            // AVFrame.data and .linesize are C arrays imported as tuples; read them as contiguous arrays in place.
            let raw = UnsafeRawPointer(frame)
            let planes = raw.advanced(by: MemoryLayout<AVFrame>.offset(of: \AVFrame.data)!)
                .assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
            let lineSizes = raw.advanced(by: MemoryLayout<AVFrame>.offset(of: \AVFrame.linesize)!)
                .assumingMemoryBound(to: Int32.self)
            rows = sws_scale(context, planes, lineSizes, 0, sourceHeight, &destination, &strides)
        }
        guard rows == Int32(height) else {
            throw MediaError(.stream, input: input, message: "sws_scale produced \(rows) of \(height) rows", code: rows)
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Maps deprecated full-range YUVJ formats to the plain ones; the Bool says the range is full.
    private static func unJPEG(_ format: AVPixelFormat) -> (AVPixelFormat, Bool) {
        switch format {
        case AV_PIX_FMT_YUVJ420P: return (AV_PIX_FMT_YUV420P, true)
        case AV_PIX_FMT_YUVJ422P: return (AV_PIX_FMT_YUV422P, true)
        case AV_PIX_FMT_YUVJ444P: return (AV_PIX_FMT_YUV444P, true)
        case AV_PIX_FMT_YUVJ440P: return (AV_PIX_FMT_YUV440P, true)
        case AV_PIX_FMT_YUVJ411P: return (AV_PIX_FMT_YUV411P, true)
        default: return (format, false)
        }
    }

    static func name(of format: AVPixelFormat) -> String {
        av_get_pix_fmt_name(format).map { String(cString: $0) } ?? "pixel format \(format.rawValue)"
    }
}
