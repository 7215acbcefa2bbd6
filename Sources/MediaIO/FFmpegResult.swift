import CFFmpeg

/// FFmpeg return codes that are outcomes rather than failures, and the conversion of the rest into ``MediaError``.
enum FFmpegResult {
    /// AVERROR(EAGAIN): the codec wants more input or has no output yet.
    static let tryAgain: Int32 = CFFmpeg_averror(EAGAIN)
    /// AVERROR_EOF: end of stream.
    static let endOfFile: Int32 = CFFmpeg_averror_eof()
    /// AVERROR_EXIT: our interrupt callback aborted a blocking call.
    static let exit: Int32 = CFFmpeg_averror_exit()
    /// AV_NOPTS_VALUE.
    static let noTimestamp: Int64 = CFFmpeg_nopts_value()

    /// FFmpeg's text for an error code (replaces the `av_err2str` macro).
    static func message(for code: Int32) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 128) { buffer in
            if av_strerror(code, buffer.baseAddress, 128) < 0 { return "FFmpeg error \(code)" }
            return String(cString: buffer.baseAddress!)
        }
    }

    /// Returns `code` when it is not negative; otherwise throws a ``MediaError`` naming the call and the input.
    @discardableResult
    static func check(_ code: Int32, _ call: String, input: String, kind: MediaError.Kind = .stream) throws(MediaError) -> Int32 {
        guard code < 0 else { return code }
        throw MediaError(kind, input: input, message: "\(call) failed: \(message(for: code))", code: code)
    }
}

/// One-time FFmpeg set-up: quiet logging and device registration.
enum FFmpegLibrary {
    private static let once: Void = {
        // Our errors carry FFmpeg's return-code text; its own log lines (some decoders log even "fatal" for bad input) would
        // only interleave with ours on stderr.
        av_log_set_level(AV_LOG_QUIET)
        avdevice_register_all()
        avformat_network_init()
    }()

    /// Call before any FFmpeg use; cheap after the first call.
    static func initialize() { _ = once }
}
