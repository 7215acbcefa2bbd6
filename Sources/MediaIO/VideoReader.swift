import CFFmpeg
import Foundation

/// Demuxes and decodes the best video stream of any input FFmpeg can open — files, FIFOs and pipes (`/dev/stdin`,
/// `pipe:N`), `rtsp://`, `http(s)://`, `udp://`, V4L2 devices (`/dev/video*`) — and hands out owned RGB frames.
///
/// The loop mirrors FFmpeg's `demux_decode.c`: read a packet, send it once, receive frames until EAGAIN, and at the
/// end drain the decoder with a null packet. Every blocking call runs under a deadline enforced by FFmpeg's interrupt
/// callback — for FIFOs, pipes and character devices by our own polled descriptor (`PolledDescriptor`), which that
/// callback could not interrupt — so nothing blocks longer than `options.timeout`. Regular files are read without a
/// deadline (their reads cannot block indefinitely) but can be cancelled. Frames are bounded by
/// `options.maximumPixels` before any is allocated.
///
/// - Important: a reader is confined to one thread at a time (it is not `Sendable`); run it on a dedicated thread,
///   never on Swift's cooperative pool. Use ``canceller`` to stop it from elsewhere.
public final class VideoReader {
    /// The path or URL as given.
    public let input: String
    /// What the container says about the chosen stream.
    public let info: StreamInfo
    /// Frames the decoder produced so far (including frames the selection skipped).
    public private(set) var decodedFrameCount = 0
    /// Non-fatal problems met so far (corrupt packets skipped, fewer frames than declared): each distinct message
    /// once, followed by "(N times)" when it occurred more than once.
    public var warnings: [String] { warningLog.lines }
    /// Frames whose size differs from the frame before (the first frame: from the header), at most
    /// ``maximumSizeChanges`` of them.
    public private(set) var sizeChanges: [FrameSizeChange] = []
    /// Size changes seen in all, including those beyond the ones kept in ``sizeChanges``.
    public private(set) var sizeChangeCount = 0
    /// Stops a blocked or future read from any thread.
    public var canceller: ReadCanceller { ReadCanceller(interrupt.cancellation) }

    /// How many size changes ``sizeChanges`` keeps.
    public static let maximumSizeChanges = 100

    private let options: VideoReaderOptions
    private let interrupt: InterruptGuard
    /// Our own descriptor for FIFOs, pipes and character devices; released after `format` is closed (in `deinit`).
    private let polledSource: PolledDescriptor?
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var decoder: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private let converter = PixelConverter()
    private var selector: FrameSelector
    private let streamIndex: Int32
    /// The stream time base as a fraction; pts = stamp · num / den, divided last so that e.g. 35840/12800 is 2.8 exactly.
    /// Nil when the container gives no usable time base (then frames have no presentation time).
    private let timeBase: (num: Double, den: Double)?
    private var warningLog = WarningLog()
    private var lastFrameSize: (width: Int, height: Int)
    private var draining = false
    private var finished = false
    /// An error met while reading; raised once the frames already decoded have been handed out.
    private var pendingError: MediaError?

    /// Opens `input`, picks its best video stream and opens a decoder for it.
    ///
    /// - Parameter canceller: cancels this reader, including the open itself; nil makes a new one (see ``canceller``).
    public init(input: String, options: VideoReaderOptions = VideoReaderOptions(), canceller: ReadCanceller? = nil) throws(MediaError) {
        FFmpegLibrary.initialize()
        self.input = input
        self.options = try options.validated(input: input)
        self.selector = FrameSelector(options.selection)
        let source = try InputSource.resolve(input)
        let interrupt = InterruptGuard(
            timeout: options.timeout, enforcesDeadline: source != .regularFile, cancellation: canceller?.flag ?? CancellationFlag())
        self.interrupt = interrupt
        if case .stream(let path) = source {
            polledSource = try PolledDescriptor(path: path, input: input, interrupt: interrupt)
        } else {
            polledSource = nil
        }

        format = avformat_alloc_context()
        guard format != nil else { throw MediaError(.input, input: input, message: "out of memory") }
        format!.pointee.interrupt_callback = interrupt.callback()
        if let polledSource {
            format!.pointee.pb = polledSource.context
            format!.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        }
        var dictionary: OpaquePointer?
        defer { av_dict_free(&dictionary) }
        let microseconds = String(Int(options.timeout * 1_000_000))  // validated: at most 8.64e10
        var openOptions = ["rw_timeout": microseconds]
        if input.hasPrefix("rtsp://") || input.hasPrefix("rtsps://") || input.hasPrefix("tcp://") {
            openOptions["timeout"] = microseconds
        }
        openOptions.merge(options.formatOptions) { _, given in given }
        for (key, value) in openOptions { av_dict_set(&dictionary, key, value, 0) }
        let inputFormat: UnsafePointer<AVInputFormat>? = source == .captureDevice ? av_find_input_format("video4linux2") : nil

        interrupt.arm()
        let opened = avformat_open_input(&format, input, inputFormat, &dictionary)
        interrupt.disarm()
        let localContent = source == .regularFile || polledSource != nil
        if opened < 0 {  // FFmpeg freed the context and set it to nil.
            if let polledSource, polledSource.endedBeforeAnyData {
                throw MediaError(.format, input: input, message: "cannot open input: the stream ended before any data (0 bytes read)")
            }
            throw Self.openError(opened, input: input, interrupt: interrupt, call: "cannot open input", localContent: localContent)
        }
        // Sizes the headers state; stream analysis zeroes a size its decoder refused (over `maximumPixels`).
        let declaredSizes = Self.frameSizes(format!)
        interrupt.arm()
        let found = Self.findStreamInfo(format!, maximumPixels: options.maximumPixels)
        interrupt.disarm()
        if found < 0 {
            avformat_close_input(&format)
            throw Self.openError(found, input: input, interrupt: interrupt, call: "cannot read stream information", localContent: localContent)
        }

        var codec: UnsafePointer<AVCodec>?
        let best = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
        if best < 0 {
            let streams = Self.describeStreams(format!)
            avformat_close_input(&format)
            if best == CFFmpeg_averror_decoder_not_found() {
                throw MediaError(.unsupported, input: input, message: "no decoder for the video stream (\(streams))", code: best)
            }
            throw MediaError(.unsupported, input: input, message: "no video stream (found: \(streams.isEmpty ? "no streams" : streams))", code: best)
        }
        streamIndex = best
        let stream = format!.pointee.streams[Int(best)]!
        let base = stream.pointee.time_base
        timeBase = base.num > 0 && base.den > 0 ? (Double(base.num), Double(base.den)) : nil
        let parameters = stream.pointee.codecpar.pointee
        let declared = parameters.width > 0 ? (Int(parameters.width), Int(parameters.height)) : declaredSizes[Int(best), default: (0, 0)]
        if let problem = options.frameSizeProblem(width: declared.0, height: declared.1) {
            avformat_close_input(&format)
            throw MediaError(.unsupported, input: input, message: "cannot decode the \(Self.codecName(parameters.codec_id)) stream: \(problem)")
        }
        guard let codec else {
            avformat_close_input(&format)
            throw MediaError(.unsupported, input: input, message: "no decoder for codec \(Self.codecName(parameters.codec_id))")
        }
        decoder = avcodec_alloc_context3(codec)
        packet = av_packet_alloc()
        frame = av_frame_alloc()
        guard decoder != nil, packet != nil, frame != nil else {
            Self.free(format: &format, decoder: &decoder, packet: &packet, frame: &frame)
            throw MediaError(.input, input: input, message: "out of memory")
        }
        do {
            try FFmpegResult.check(
                avcodec_parameters_to_context(decoder, stream.pointee.codecpar), "avcodec_parameters_to_context", input: input, kind: .unsupported)
            decoder!.pointee.thread_count = Int32(options.decoderThreads)
            decoder!.pointee.pkt_timebase = stream.pointee.time_base
            // The decoder refuses larger frames before allocating them, including a size change mid-stream.
            decoder!.pointee.max_pixels = Int64(options.maximumPixels)
            try FFmpegResult.check(
                avcodec_open2(decoder, codec, nil), "cannot open the \(String(cString: codec.pointee.name)) decoder", input: input, kind: .unsupported
            )
        } catch {
            Self.free(format: &format, decoder: &decoder, packet: &packet, frame: &frame)
            throw error
        }
        info = Self.describe(format: format!, stream: stream, decoder: decoder!)
        lastFrameSize = (info.width, info.height)
        if info.width <= 0 || info.height <= 0 {
            Self.free(format: &format, decoder: &decoder, packet: &packet, frame: &frame)
            throw MediaError(
                .format, input: input, message: "cannot decode the \(info.codec) stream: no frame size (not a valid image or video, or corrupt)")
        }
    }

    deinit { Self.free(format: &format, decoder: &decoder, packet: &packet, frame: &frame) }

    /// Returns the next selected frame, or nil at the end of the input.
    ///
    /// A read error part-way through (a truncated file, a dropped connection) is thrown only after the frames that
    /// were already decoded have been returned, so nothing already read is lost.
    public func nextFrame() throws(MediaError) -> VideoFrame? {
        guard let decoder, let packet, let frame, let format else { return nil }
        while !finished {
            let received = avcodec_receive_frame(decoder, frame)
            if received == 0 {
                defer { av_frame_unref(frame) }
                let index = decodedFrameCount
                decodedFrameCount += 1
                let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
                if let problem = options.frameSizeProblem(width: width, height: height), width > 0, height > 0 {
                    throw MediaError(.stream, input: input, message: "frame \(index): \(problem)")
                }
                noteSize(width: width, height: height, frame: index)
                let time = presentationTime(frame.pointee.best_effort_timestamp)
                guard selector.keep(index: index, time: time) else { continue }
                let size = options.outputSize ?? (width, height)
                let pixels = try converter.pixels(frame, width: size.width, height: size.height, input: input)
                for note in converter.notes where !warningLog.contains(note) { warningLog.add(note) }
                return VideoFrame(index: index, presentationTime: time, sourceWidth: width, sourceHeight: height, pixels: pixels)
            }
            if received == FFmpegResult.endOfFile {
                finished = true
                break
            }
            if received != FFmpegResult.tryAgain {
                throw MediaError(.stream, input: input, message: "decoding failed: \(FFmpegResult.message(for: received))", code: received)
            }
            if draining {  // The decoder wants input after the flush packet: treat as the end.
                finished = true
                break
            }
            interrupt.arm()
            let read = av_read_frame(format, packet)
            interrupt.disarm()
            if read < 0 {
                if read != FFmpegResult.endOfFile {
                    pendingError = Self.openError(read, input: input, interrupt: interrupt, call: "reading failed after \(decodedFrameCount) frames")
                }
                avcodec_send_packet(decoder, nil)
                draining = true
                continue
            }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            let sent = avcodec_send_packet(decoder, packet)
            if sent < 0 && sent != FFmpegResult.tryAgain {
                // A corrupt packet: skip it and keep decoding, as players do; report it.
                warningLog.add("skipped a packet the decoder rejected: \(FFmpegResult.message(for: sent))")
            }
        }
        if let error = pendingError {
            pendingError = nil
            throw error
        }
        checkDeclaredFrameCount()
        return nil
    }

    /// A best-effort timestamp in seconds, or nil when there is none or it is not a finite number.
    private func presentationTime(_ stamp: Int64) -> Double? {
        guard stamp != FFmpegResult.noTimestamp, let timeBase else { return nil }
        let time = Double(stamp) * timeBase.num / timeBase.den
        return time.isFinite ? time : nil
    }

    /// Records a frame whose size differs from the one before.
    private func noteSize(width: Int, height: Int, frame index: Int) {
        guard width != lastFrameSize.width || height != lastFrameSize.height else { return }
        lastFrameSize = (width, height)
        sizeChangeCount += 1
        if sizeChanges.count < Self.maximumSizeChanges {
            sizeChanges.append(FrameSizeChange(frame: index, width: width, height: height))
        }
    }

    /// Records a warning, once, if the stream ended well short of the frame count the container declares.
    private func checkDeclaredFrameCount() {
        guard let declared = info.declaredFrameCount, declared > 0 else { return }
        let message = "the stream ended after \(decodedFrameCount) of the \(declared) frames the container declares (truncated?)"
        if decodedFrameCount + 2 < declared && Double(decodedFrameCount) < 0.95 * Double(declared), !warningLog.contains(message) {
            warningLog.add(message)
        }
    }

    /// Whether the input is a live source (network or device) rather than a file.
    public var isLive: Bool { Self.isLiveInput(input) }

    /// Whether `input` names a live source (network stream or capture device) rather than a file: RTSP/RTMP/UDP/RTP/
    /// TCP/SRT URLs, `/dev/video*`, and HTTP(S) URLs (MPEG-TS, MJPEG and HLS cameras) unless their path ends in a video
    /// file extension (`http://host/clip.mp4` is a remote file: read once, never dropped).
    public static func isLiveInput(_ input: String) -> Bool {
        let lowered = input.lowercased()
        if ["rtsp://", "rtsps://", "rtmp://", "rtmps://", "udp://", "rtp://", "tcp://", "srt://", "/dev/video"]
            .contains(where: { lowered.hasPrefix($0) })
        {
            return true
        }
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else { return false }
        let path = lowered.split(separator: "?", maxSplits: 1).first.map(String.init) ?? lowered
        let fileExtensions = [".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp"]
        return !fileExtensions.contains(where: { path.hasSuffix($0) })
    }
}
