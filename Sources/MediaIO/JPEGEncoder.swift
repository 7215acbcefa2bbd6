import CFFmpeg
import Imaging

/// Encodes RGB images as baseline JPEG files through libavcodec's `mjpeg` encoder (no image library of its own):
/// swscale converts RGB24 to full-range YUV (4:2:0, or 4:4:4 with ``Chroma/full``), the encoder compresses it at a
/// fixed quantiser derived from ``quality``.
///
/// - Important: confined to one thread at a time (it owns FFmpeg contexts; it is not `Sendable`). The encoder and
///   scaler are kept for the last image size and rebuilt when the size changes.
public final class JPEGEncoder {
    /// Chroma resolution.
    public enum Chroma: Sendable, Equatable {
        /// Colour at half resolution in both directions (4:2:0): the usual JPEG, smallest files.
        case subsampled
        /// Colour at full resolution (4:4:4): sharper coloured edges (thin boxes, small text), larger files.
        case full
    }

    /// JPEG quality, 1 (smallest) … 100 (best), as image programs use it.
    public let quality: Int
    public let chroma: Chroma
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private var size: (width: Int, height: Int)?
    private var nextPTS: Int64 = 0

    /// The accepted qualities.
    public static let qualities = 1...100

    /// An encoder for `quality` (clamped to 1 … 100).
    public init(quality: Int = 85, chroma: Chroma = .subsampled) {
        FFmpegLibrary.initialize()
        self.quality = min(max(quality, Self.qualities.lowerBound), Self.qualities.upperBound)
        self.chroma = chroma
    }

    deinit { release() }

    /// The mjpeg quantiser scale for a quality: 100 → 2 (finest the encoder allows) … 1 → 31 (coarsest), linear.
    public static func quantizer(forQuality quality: Int) -> Int {
        let q = min(max(quality, qualities.lowerBound), qualities.upperBound)
        return 2 + ((100 - q) * 29 + 49) / 99
    }

    /// The bytes of a complete JPEG file holding `image`.
    public func encode(_ image: RGBImage) throws(MediaError) -> [UInt8] {
        try prepare(width: image.width, height: image.height)
        guard let encoder, let frame, let packet else { throw MediaError(.output, input: "jpeg", message: "the encoder is not open") }
        try FFmpegResult.check(av_frame_make_writable(frame), "av_frame_make_writable", input: "jpeg", kind: .output)
        let rows = FrameData.scale(image, with: scaler, into: frame)
        guard rows == Int32(image.height) else {
            throw MediaError(.output, input: "jpeg", message: "sws_scale produced \(rows) of \(image.height) rows", code: rows)
        }
        frame.pointee.quality = encoder.pointee.global_quality
        frame.pointee.pts = nextPTS
        nextPTS += 1
        try FFmpegResult.check(avcodec_send_frame(encoder, frame), "avcodec_send_frame", input: "jpeg", kind: .output)
        let received = avcodec_receive_packet(encoder, packet)
        try FFmpegResult.check(received, "avcodec_receive_packet", input: "jpeg", kind: .output)
        defer { av_packet_unref(packet) }
        guard let data = packet.pointee.data, packet.pointee.size > 0 else {
            throw MediaError(.output, input: "jpeg", message: "the encoder produced no data")
        }
        return Array(UnsafeBufferPointer(start: data, count: Int(packet.pointee.size)))
    }

    /// Opens the encoder and scaler for `width × height`, unless they are open for that size.
    private func prepare(width: Int, height: Int) throws(MediaError) {
        if let size, size.width == width, size.height == height, encoder != nil { return }
        release()
        guard width <= VideoReaderOptions.maximumSide, height <= VideoReaderOptions.maximumSide else {
            throw MediaError(.argument, input: "jpeg", message: "image is \(width)×\(height), at most \(VideoReaderOptions.maximumSide) a side")
        }
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else {
            throw MediaError(.output, input: "jpeg", message: "this FFmpeg has no mjpeg encoder")
        }
        encoder = avcodec_alloc_context3(codec)
        frame = av_frame_alloc()
        packet = av_packet_alloc()
        guard let encoder, let frame, packet != nil else {
            release()
            throw MediaError(.output, input: "jpeg", message: "out of memory")
        }
        // The encoder wants the full-range "J" formats; swscale writes the same planes as plain YUV with the range set
        // explicitly (naming a J format would make it warn and rebuild its context for every image).
        let (encoderFormat, planeFormat) =
            chroma == .full ? (AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUV444P) : (AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV420P)
        encoder.pointee.width = Int32(width)
        encoder.pointee.height = Int32(height)
        encoder.pointee.pix_fmt = encoderFormat
        encoder.pointee.color_range = AVCOL_RANGE_JPEG
        encoder.pointee.time_base = AVRational(num: 1, den: 25)
        encoder.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
        encoder.pointee.global_quality = Int32(Self.quantizer(forQuality: quality)) * FF_QP2LAMBDA
        do {
            try FFmpegResult.check(avcodec_open2(encoder, codec, nil), "cannot open the mjpeg encoder", input: "jpeg", kind: .output)
            frame.pointee.format = encoderFormat.rawValue
            frame.pointee.width = Int32(width)
            frame.pointee.height = Int32(height)
            frame.pointee.color_range = AVCOL_RANGE_JPEG
            try FFmpegResult.check(av_frame_get_buffer(frame, 0), "av_frame_get_buffer", input: "jpeg", kind: .output)
        } catch {
            release()
            throw error
        }
        scaler = sws_getContext(
            Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(width), Int32(height), planeFormat,
            Int32(SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP), nil, nil, nil)
        guard let scaler else {
            release()
            throw MediaError(.output, input: "jpeg", message: "cannot convert RGB to YUV at \(width)×\(height)")
        }
        let table = sws_getCoefficients(SWS_CS_DEFAULT)
        sws_setColorspaceDetails(scaler, table, 1, table, 1, 0, 1 << 16, 1 << 16)
        size = (width, height)
    }

    private func release() {
        sws_freeContext(scaler)
        scaler = nil
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&encoder)
        size = nil
    }
}
