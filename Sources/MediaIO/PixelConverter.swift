import CFFmpeg
import Imaging

/// Converts decoded frames to packed RGB24 with libswscale, at the source size or scaled.
///
/// Owns one `SwsContext`, which must never be shared between threads (it crashes libswscale); keep one converter
/// per reader. Full-range "J" YUV formats are mapped to their plain twins with the range set explicitly, so the
/// context is not rebuilt on every frame.
///
/// Planar 8-bit YUV 4:2:0, 4:2:2 or 4:4:4 at the source size — what decoders give, MJPEG cameras' 4:2:2 included — goes
/// through ``PlanarYUVConverter``, which gives libswscale's bytes faster (decode and conversion of a 640×480 H.264
/// frame: 1.21 → 0.58 ms). The first frame of every size, format and range is converted both ways and compared; if a
/// byte differs (a libswscale whose arithmetic is not 5.1's), that configuration stays on libswscale and ``notes`` says
/// so.
final class PixelConverter {
    /// Scaling algorithm for the swscale path.
    private let flags: Int32
    private var context: OpaquePointer?
    /// Whether ``PlanarYUVConverter`` may stand in for libswscale (only with the flags it reproduces).
    private let allowsFastPath: Bool
    private var fast: PlanarYUVConverter?
    /// Per configuration checked against libswscale on its first frame: whether the bytes were equal.
    private var verified: [FastConfiguration: Bool] = [:]
    /// The range libswscale's cached context converts with: set to full by a full-range frame, it stays so until the
    /// context is rebuilt for another size or format (`sws_getCachedContext` keeps it), and the fast path follows it.
    private var contextFullRange = false
    /// The source size and format and the destination size the cached context was made for.
    private var contextKey: ContextKey?
    /// Distinct notes about configurations left on libswscale (for the reader's warnings).
    private(set) var notes: [String] = []

    private struct ContextKey: Equatable {
        let sourceWidth: Int32
        let sourceHeight: Int32
        let format: Int32
        let width: Int
        let height: Int
    }

    private struct FastConfiguration: Hashable {
        let width: Int32
        let height: Int32
        let format: Int32
        let fullRange: Bool
    }

    /// Makes the fast converter for a size and range (the tests substitute a wrong one to see the check catch it).
    private let makeConverter: (_ width: Int, _ height: Int, _ chromaShift: (x: Int, y: Int), _ fullRange: Bool) -> PlanarYUVConverter?

    init(
        flags: Int32 = Int32(SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT), allowsFastPath: Bool = true,
        makeConverter: @escaping (_ width: Int, _ height: Int, _ chromaShift: (x: Int, y: Int), _ fullRange: Bool) -> PlanarYUVConverter? = {
            PlanarYUVConverter(width: $0, height: $1, chromaShift: $2, fullRange: $3)
        }
    ) {
        self.flags = flags
        self.allowsFastPath = allowsFastPath && flags == Int32(SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT)
        self.makeConverter = makeConverter
    }

    deinit { sws_freeContext(context) }

    /// Converts `frame` into a new RGB image of `width × height` pixels.
    func convert(_ frame: UnsafePointer<AVFrame>, width: Int, height: Int, input: String) throws(MediaError) -> RGBImage {
        try pixels(frame, width: width, height: height, input: input, deferred: false).image
    }

    /// `frame`'s pixels at `width × height`. When `deferred` and ``PlanarYUVConverter`` has been checked for the frame's
    /// configuration, the frame is kept as decoded (a new reference to the decoder's buffers, no copy) and converted
    /// where it is read (``FramePixels``); otherwise it is converted now.
    func pixels(
        _ frame: UnsafePointer<AVFrame>, width: Int, height: Int, input: String, deferred: Bool = true
    ) throws(MediaError) -> FramePixels {
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
        let key = ContextKey(sourceWidth: sourceWidth, sourceHeight: sourceHeight, format: format.rawValue, width: width, height: height)
        if key != contextKey {
            contextKey = key
            contextFullRange = false
        }
        if fullRange || frame.pointee.color_range == AVCOL_RANGE_JPEG {
            let table = sws_getCoefficients(SWS_CS_DEFAULT)
            sws_setColorspaceDetails(context, table, 1, table, 1, 0, 1 << 16, 1 << 16)
            contextFullRange = true
        }
        if allowsFastPath, let shift = Self.chromaShift(format),
            Int(sourceWidth) == width && Int(sourceHeight) == height
                && width <= 1 << 14 && height <= 1 << 14
        {
            let configuration = FastConfiguration(
                width: sourceWidth, height: sourceHeight, format: format.rawValue, fullRange: contextFullRange)
            if verified[configuration] == true, let converter = fastConverter(for: frame, chromaShift: shift, fullRange: contextFullRange) {
                if deferred, let picture = DecodedPicture(referencing: frame, converter: converter) { return FramePixels(picture) }
                if let image = convertFast(frame, with: converter) { return FramePixels(image) }
            }
            if verified[configuration] == nil {
                guard let converter = fastConverter(for: frame, chromaShift: shift, fullRange: contextFullRange),
                    let candidate = convertFast(frame, with: converter)
                else {
                    // No built-in conversion for this size (or a plane is missing): libswscale's, from now on.
                    verified[configuration] = false
                    return FramePixels(
                        try convertWithSwscale(frame, context: context, sourceHeight: sourceHeight, width: width, height: height, input: input))
                }
                let reference = try convertWithSwscale(
                    frame, context: context, sourceHeight: sourceHeight, width: width, height: height, input: input)
                let equal = candidate.pixels == reference.pixels
                verified[configuration] = equal
                if !equal {
                    notes.append(
                        "the built-in \(Self.name(of: format)) → RGB conversion differs from this libswscale at \(width)×\(height)"
                            + " (\(contextFullRange ? "full" : "limited") range); libswscale converts these frames")
                }
                return FramePixels(reference)
            }
        }
        return FramePixels(
            try convertWithSwscale(frame, context: context, sourceHeight: sourceHeight, width: width, height: height, input: input))
    }

    /// The ``PlanarYUVConverter`` for a planar YUV frame at its own size (nil if it has no conversion for the size).
    private func fastConverter(for frame: UnsafePointer<AVFrame>, chromaShift: (x: Int, y: Int), fullRange: Bool) -> PlanarYUVConverter? {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        if fast == nil || fast!.width != width || fast!.height != height || fast!.fullRange != fullRange
            || fast!.chromaShift != chromaShift
        {
            fast = makeConverter(width, height, chromaShift, fullRange)
        }
        return fast
    }

    /// `converter` (made by ``fastConverter(for:chromaShift:fullRange:)`` for `frame`) on `frame` now (nil if a plane is
    /// missing).
    private func convertFast(_ frame: UnsafePointer<AVFrame>, with converter: PlanarYUVConverter) -> RGBImage? {
        PlanarYUVConverter.Planes(frame).map(converter.image(of:))
    }

    private func convertWithSwscale(
        _ frame: UnsafePointer<AVFrame>, context: OpaquePointer, sourceHeight: Int32, width: Int, height: Int, input: String
    ) throws(MediaError) -> RGBImage {
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

    /// The chroma shifts of the planar 8-bit YUV formats ``PlanarYUVConverter`` converts, nil for any other.
    private static func chromaShift(_ format: AVPixelFormat) -> (x: Int, y: Int)? {
        switch format {
        case AV_PIX_FMT_YUV420P: (1, 1)
        case AV_PIX_FMT_YUV422P: (1, 0)
        case AV_PIX_FMT_YUV444P: (0, 0)
        default: nil
        }
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
