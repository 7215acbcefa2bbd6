import CFFmpeg
import Foundation

extension VideoReader {
    /// FFmpeg's AVERROR_PROTOCOL_NOT_FOUND (an FFERRTAG: −MKTAG(0xF8, 'P', 'R', 'O')).
    static let protocolNotFound: Int32 = -Int32(
        bitPattern: 0xF8 | UInt32(UInt8(ascii: "P")) << 8 | UInt32(UInt8(ascii: "R")) << 16 | UInt32(UInt8(ascii: "O")) << 24)

    /// `avformat_find_stream_info` with the frame-size limit passed to the decoders it opens, so a header claiming a
    /// huge size is refused before a frame of that size is allocated.
    static func findStreamInfo(_ format: UnsafeMutablePointer<AVFormatContext>, maximumPixels: Int) -> Int32 {
        var perStream = [OpaquePointer?](repeating: nil, count: Int(format.pointee.nb_streams))
        defer { for index in perStream.indices { av_dict_free(&perStream[index]) } }
        for index in perStream.indices { av_dict_set(&perStream[index], "max_pixels", String(maximumPixels), 0) }
        return perStream.withUnsafeMutableBufferPointer { avformat_find_stream_info(format, $0.baseAddress) }
    }

    /// Codes that report a failure of the system rather than of the content (I/O, memory, permissions).
    private static let systemFailures: Set<Int32> = Set([EIO, ENOMEM, EACCES, EPERM, EMFILE, ENFILE].map { CFFmpeg_averror($0) })

    /// The frame size each stream's header states, by stream index.
    static func frameSizes(_ format: UnsafeMutablePointer<AVFormatContext>) -> [Int: (Int, Int)] {
        var sizes: [Int: (Int, Int)] = [:]
        for index in 0..<Int(format.pointee.nb_streams) {
            guard let parameters = format.pointee.streams[index]?.pointee.codecpar?.pointee else { continue }
            sizes[index] = (Int(parameters.width), Int(parameters.height))
        }
        return sizes
    }

    /// Converts an open/read failure into an error that says whether it was a timeout, a cancel or FFmpeg's reason.
    ///
    /// - Parameter localContent: the bytes come from a local file, FIFO or pipe, so a failure that is not an I/O error
    ///   means the content is bad.
    static func openError(_ code: Int32, input: String, interrupt: InterruptGuard, call: String, localContent: Bool = false) -> MediaError {
        if code == FFmpegResult.exit || interrupt.didTimeOut {
            if interrupt.isCancelled { return MediaError(.timeout, input: input, message: "\(call): cancelled", code: code) }
            return MediaError(.timeout, input: input, message: "\(call): no answer within \(interrupt.timeout) s", code: code)
        }
        if code == protocolNotFound {
            let scheme = input.range(of: "://").map { String(input[..<$0.lowerBound]) } ?? input
            return MediaError(.input, input: input, message: "\(call): unknown URL scheme '\(scheme)' (FFmpeg has no protocol for it)", code: code)
        }
        if code == CFFmpeg_averror(ETIMEDOUT) {
            return MediaError(.timeout, input: input, message: "\(call): timed out after \(interrupt.timeout) s", code: code)
        }
        let kind: MediaError.Kind = code == CFFmpeg_averror_invaliddata() ? .format : (isLiveInput(input) ? .stream : .format)
        var reason = FFmpegResult.message(for: code)
        if code == CFFmpeg_averror_invaliddata() {
            reason += " (not a video FFmpeg can read, or corrupt)"
        } else if localContent && !systemFailures.contains(code) {
            // A demuxer's failure on bad content surfaces as whatever code it had at hand (a y4m header claiming
            // 65535×65535 gives "Device or resource busy"): say what it means, keep FFmpeg's words.
            reason = "not a video FFmpeg can read, or corrupt (FFmpeg: \(reason))"
        }
        return MediaError(kind, input: input, message: "\(call): \(reason)", code: code)
    }

    static func codecName(_ id: AVCodecID) -> String {
        avcodec_get_name(id).map { String(cString: $0) } ?? "codec \(id.rawValue)"
    }

    /// A short list of the container's streams, e.g. "audio aac, subtitle mov_text".
    static func describeStreams(_ format: UnsafeMutablePointer<AVFormatContext>) -> String {
        (0..<Int(format.pointee.nb_streams)).compactMap { index -> String? in
            guard let stream = format.pointee.streams[index] else { return nil }
            let parameters = stream.pointee.codecpar.pointee
            let type = av_get_media_type_string(parameters.codec_type).map { String(cString: $0) } ?? "unknown"
            return "\(type) \(codecName(parameters.codec_id))"
        }.joined(separator: ", ")
    }

    static func describe(
        format: UnsafeMutablePointer<AVFormatContext>, stream: UnsafeMutablePointer<AVStream>,
        decoder: UnsafeMutablePointer<AVCodecContext>
    ) -> StreamInfo {
        let parameters = stream.pointee.codecpar.pointee
        let rate = stream.pointee.avg_frame_rate.num > 0 ? stream.pointee.avg_frame_rate : stream.pointee.r_frame_rate
        let frameRate = rate.num > 0 && rate.den > 0 ? positiveFinite(av_q2d(rate)) : nil
        let base = stream.pointee.time_base
        var duration: Double?
        if stream.pointee.duration != FFmpegResult.noTimestamp && stream.pointee.duration > 0 && base.num > 0 && base.den > 0 {
            duration = positiveFinite(Double(stream.pointee.duration) * av_q2d(base))
        }
        if duration == nil && format.pointee.duration != FFmpegResult.noTimestamp && format.pointee.duration > 0 {
            duration = positiveFinite(Double(format.pointee.duration) / Double(AV_TIME_BASE))
        }
        let container = format.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
        return StreamInfo(
            container: container, codec: codecName(parameters.codec_id),
            width: Int(parameters.width), height: Int(parameters.height), frameRate: frameRate, duration: duration,
            declaredFrameCount: stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil,
            streamIndex: Int(stream.pointee.index),
            exactFrameRate: frameRate == nil ? nil : FrameRate(Int(rate.num), Int(rate.den)))
    }

    /// `value` when it is a finite number above zero (JSON cannot hold NaN or infinity), else nil.
    private static func positiveFinite(_ value: Double) -> Double? {
        value.isFinite && value > 0 ? value : nil
    }

    static func free(
        format: inout UnsafeMutablePointer<AVFormatContext>?, decoder: inout UnsafeMutablePointer<AVCodecContext>?,
        packet: inout UnsafeMutablePointer<AVPacket>?, frame: inout UnsafeMutablePointer<AVFrame>?
    ) {
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&decoder)
        avformat_close_input(&format)
    }
}
