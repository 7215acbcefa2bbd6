import CFFmpeg
import Foundation

/// A `Sendable` handle that stops a ``VideoReader`` from any thread: its blocked call returns at once and later
/// calls fail with a `.timeout` error saying the read was cancelled.
public struct ReadCanceller: Sendable {
    private let interrupt: InterruptGuard

    init(_ interrupt: InterruptGuard) { self.interrupt = interrupt }

    public func cancel() { interrupt.cancel() }
}

extension VideoReader {
    /// Checks a local path before FFmpeg sees it, so missing files, directories, permissions and empty files get
    /// precise messages instead of FFmpeg's generic ones.
    static func checkLocalFile(_ input: String) throws(MediaError) {
        if input.contains("://") || input.hasPrefix("/dev/") { return }
        let path = input.hasPrefix("file:") ? String(input.dropFirst(5)) : input
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MediaError(.input, input: input, message: "no such file")
        }
        if isDirectory.boolValue { throw MediaError(.input, input: input, message: "is a directory, not a video file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw MediaError(.input, input: input, message: "permission denied (the file is not readable by this user)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if size == 0 { throw MediaError(.input, input: input, message: "the file is empty (0 bytes)") }
    }

    /// Converts an open/read failure into an error that says whether it was a timeout, a cancel or FFmpeg's reason.
    static func openError(_ code: Int32, input: String, interrupt: InterruptGuard, call: String) -> MediaError {
        if code == FFmpegResult.exit || interrupt.didTimeOut {
            if interrupt.isCancelled { return MediaError(.timeout, input: input, message: "\(call): cancelled", code: code) }
            return MediaError(.timeout, input: input, message: "\(call): no answer within \(interrupt.timeout) s", code: code)
        }
        if code == CFFmpeg_averror(ETIMEDOUT) {
            return MediaError(.timeout, input: input, message: "\(call): timed out after \(interrupt.timeout) s", code: code)
        }
        let kind: MediaError.Kind = code == CFFmpeg_averror_invaliddata() ? .format : (isLiveInput(input) ? .stream : .format)
        var reason = FFmpegResult.message(for: code)
        if code == CFFmpeg_averror_invaliddata() { reason += " (not a video FFmpeg can read, or corrupt)" }
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
        let frameRate = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : nil
        var duration: Double?
        if stream.pointee.duration != FFmpegResult.noTimestamp && stream.pointee.duration > 0 {
            duration = Double(stream.pointee.duration) * av_q2d(stream.pointee.time_base)
        } else if format.pointee.duration != FFmpegResult.noTimestamp && format.pointee.duration > 0 {
            duration = Double(format.pointee.duration) / Double(AV_TIME_BASE)
        }
        let container = format.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
        return StreamInfo(
            container: container, codec: codecName(parameters.codec_id),
            width: Int(parameters.width), height: Int(parameters.height), frameRate: frameRate, duration: duration,
            declaredFrameCount: stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil,
            streamIndex: Int(stream.pointee.index))
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
