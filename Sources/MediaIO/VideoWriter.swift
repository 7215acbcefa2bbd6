import CFFmpeg
import Foundation
import Imaging

/// Encodes RGB frames into a video file through libavcodec/libavformat (container chosen by the file extension).
///
/// Used to make test fixtures with known content, the bundled sample clip (no ffmpeg CLI) and `ssdd annotate`'s output.
/// - Important: confined to one thread at a time; call ``finish()`` to drain the encoder and write the trailer.
public final class VideoWriter {
    /// Whether this FFmpeg has the encoder `codec` needs (libx264 is optional in FFmpeg builds).
    public static func isAvailable(_ codec: Codec) -> Bool {
        FFmpegLibrary.initialize()
        return avcodec_find_encoder_by_name(codec.rawValue) != nil
    }

    /// Codecs the writer knows how to configure.
    public enum Codec: String, Sendable, CaseIterable {
        case mpeg4
        case mjpeg
        /// Lossless RGB (bgr0): decoded pixels equal the input exactly.
        case ffv1
        case h264 = "libx264"
    }

    public let path: String
    public let width: Int
    public let height: Int
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private var nextPTS: Int64 = 0
    private var finished = false

    /// Creates `path` and prepares an encoder for `width × height` frames at `framesPerSecond`.
    public convenience init(path: String, codec: Codec, width: Int, height: Int, framesPerSecond: Int = 25, quality: Int? = nil) throws(MediaError) {
        try self.init(path: path, codec: codec, width: width, height: height, frameRate: FrameRate(framesPerSecond, 1), quality: quality)
    }

    /// Creates `path` and prepares an encoder for `width × height` frames at `frameRate` (e.g. 30000/1001, as
    /// ``StreamInfo/exactFrameRate`` gives it); frame `n` gets the timestamp `n / frameRate`.
    ///
    /// - Parameter quality: qscale for mpeg4/mjpeg (2 is near-lossless), CRF for libx264; nil for the codec's default.
    public init(path: String, codec: Codec, width: Int, height: Int, frameRate: FrameRate, quality: Int? = nil) throws(MediaError) {
        FFmpegLibrary.initialize()
        guard width > 0, height > 0, width <= VideoReaderOptions.maximumSide, height <= VideoReaderOptions.maximumSide else {
            throw MediaError(.argument, input: path, message: "frame size \(width)×\(height) is out of range")
        }
        guard let timeBase = frameRate.encoderTimeBase else {
            throw MediaError(.argument, input: path, message: "frame rate \(frameRate) is out of range")
        }
        self.path = path
        self.width = width
        self.height = height
        try FFmpegResult.check(
            avformat_alloc_output_context2(&format, nil, nil, path), "cannot choose a container for this file name", input: path, kind: .output)
        guard let found = avcodec_find_encoder_by_name(codec.rawValue) else {
            avformat_free_context(format)
            throw MediaError(.output, input: path, message: "this FFmpeg has no \(codec.rawValue) encoder")
        }
        guard let newStream = avformat_new_stream(format, nil) else {
            avformat_free_context(format)
            throw MediaError(.output, input: path, message: "out of memory")
        }
        stream = newStream
        encoder = avcodec_alloc_context3(found)
        frame = av_frame_alloc()
        packet = av_packet_alloc()
        let e = encoder!
        e.pointee.width = Int32(width)
        e.pointee.height = Int32(height)
        e.pointee.time_base = timeBase
        e.pointee.framerate = AVRational(num: timeBase.den, den: timeBase.num)
        e.pointee.gop_size = 12
        switch codec {
        case .mjpeg: e.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        case .ffv1: e.pointee.pix_fmt = AV_PIX_FMT_BGR0
        case .mpeg4, .h264: e.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        }
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        if codec == .h264 {
            av_dict_set(&options, "preset", "veryfast", 0)
            if let quality { av_dict_set(&options, "crf", String(quality), 0) }
        } else if let quality {
            e.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
            e.pointee.global_quality = Int32(quality) * FF_QP2LAMBDA
        }
        if format!.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            e.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        do {
            try FFmpegResult.check(avcodec_open2(e, found, &options), "cannot open the \(codec.rawValue) encoder", input: path, kind: .output)
            try FFmpegResult.check(
                avcodec_parameters_from_context(stream.pointee.codecpar, e), "avcodec_parameters_from_context", input: path, kind: .output)
            stream.pointee.time_base = e.pointee.time_base
            try FFmpegResult.check(avio_open(&format!.pointee.pb, path, AVIO_FLAG_WRITE), "cannot create the file", input: path, kind: .output)
            try FFmpegResult.check(avformat_write_header(format, nil), "cannot write the header", input: path, kind: .output)
            frame!.pointee.format = e.pointee.pix_fmt.rawValue
            frame!.pointee.width = Int32(width)
            frame!.pointee.height = Int32(height)
            try FFmpegResult.check(av_frame_get_buffer(frame, 0), "av_frame_get_buffer", input: path, kind: .output)
        } catch {
            release()
            throw error
        }
        scaler = sws_getContext(
            Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(width), Int32(height), e.pointee.pix_fmt,
            Int32(SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT), nil, nil, nil)
    }

    deinit { release() }

    /// Encodes one frame; its size must equal the writer's.
    public func append(_ image: RGBImage) throws(MediaError) {
        guard image.width == width, image.height == height else {
            throw MediaError(.argument, input: path, message: "frame is \(image.width)×\(image.height), the video is \(width)×\(height)")
        }
        guard let frame, !finished else { throw MediaError(.output, input: path, message: "the writer is finished") }
        try FFmpegResult.check(av_frame_make_writable(frame), "av_frame_make_writable", input: path, kind: .output)
        _ = FrameData.scale(image, with: scaler, into: frame)
        frame.pointee.pts = nextPTS
        nextPTS += 1
        try encode(frame)
    }

    /// Drains the encoder and writes the trailer; the file is complete afterwards.
    public func finish() throws(MediaError) {
        guard !finished else { return }
        try encode(nil)
        finished = true
        try FFmpegResult.check(av_write_trailer(format), "cannot write the trailer", input: path, kind: .output)
        avio_closep(&format!.pointee.pb)
    }

    private func encode(_ frame: UnsafeMutablePointer<AVFrame>?) throws(MediaError) {
        try FFmpegResult.check(avcodec_send_frame(encoder, frame), "encoding failed", input: path, kind: .output)
        while true {
            let received = avcodec_receive_packet(encoder, packet)
            if received == FFmpegResult.tryAgain || received == FFmpegResult.endOfFile { return }
            try FFmpegResult.check(received, "encoding failed", input: path, kind: .output)
            // libx264 in FFmpeg 5.1 leaves duration 0, and the mp4 edit list then drops the last frame.
            if packet!.pointee.duration == 0 { packet!.pointee.duration = 1 }
            av_packet_rescale_ts(packet, encoder!.pointee.time_base, stream.pointee.time_base)
            packet!.pointee.stream_index = stream.pointee.index
            let written = av_interleaved_write_frame(format, packet)
            try FFmpegResult.check(written, "cannot write a packet", input: path, kind: .output)
        }
    }

    private func release() {
        sws_freeContext(scaler)
        scaler = nil
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&encoder)
        if let format, format.pointee.pb != nil, !finished { avio_closep(&format.pointee.pb) }
        avformat_free_context(format)
        format = nil
    }
}
