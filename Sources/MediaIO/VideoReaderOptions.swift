/// How a ``VideoReader`` opens and decodes its input.
public struct VideoReaderOptions: Sendable {
    /// Seconds any single blocking open or read may take before the reader gives up (FIFOs, pipes, network, devices;
    /// regular files cannot block indefinitely and are read without a deadline); a finite number in
    /// (0, ``maximumTimeout``].
    public var timeout: Double
    /// Decoder threads; 0 lets FFmpeg choose.
    public var decoderThreads: Int
    /// Size of the RGB frames handed out; nil keeps the source size.
    public var outputSize: (width: Int, height: Int)?
    /// Which frames to hand out.
    public var selection: FrameSelection
    /// Extra demuxer/protocol options passed to `avformat_open_input` (e.g. `rtsp_transport=tcp`).
    public var formatOptions: [String: String]
    /// The largest decoded frame accepted, in pixels (width × height); larger streams are refused before the decoder
    /// allocates a frame. Defaults to ``defaultMaximumPixels``.
    public var maximumPixels: Int

    /// The longest accepted timeout: one day.
    public static let maximumTimeout: Double = 86_400
    /// The longest accepted frame side, in pixels.
    public static let maximumSide = 16_384
    /// The default frame-size limit: 40 megapixels (8K UHD is 33.2), about 120 MB per RGB frame.
    public static let defaultMaximumPixels = 40_000_000

    public init(
        timeout: Double = 10, decoderThreads: Int = 0, outputSize: (width: Int, height: Int)? = nil,
        selection: FrameSelection = .all, formatOptions: [String: String] = [:],
        maximumPixels: Int = VideoReaderOptions.defaultMaximumPixels
    ) {
        self.timeout = timeout
        self.decoderThreads = decoderThreads
        self.outputSize = outputSize
        self.selection = selection
        self.formatOptions = formatOptions
        self.maximumPixels = maximumPixels
    }

    /// Why `seconds` is not a usable timeout, or nil when it is: a finite number of seconds in (0, 86400].
    ///
    /// The text completes a sentence naming the option, e.g. "--timeout must be …" or "timeout must be …".
    public static func timeoutProblem(_ seconds: Double) -> String? {
        if seconds > 0 && seconds <= maximumTimeout { return nil }  // false for NaN
        return "must be a number of seconds greater than 0 and at most \(Int(maximumTimeout)), got \(seconds)"
    }

    /// Checks every field; throws an `.argument` error naming the bad value.
    func validated(input: String) throws(MediaError) -> VideoReaderOptions {
        if let problem = Self.timeoutProblem(timeout) {
            throw MediaError(.argument, input: input, message: "timeout \(problem)")
        }
        if let size = outputSize, size.width < 1 || size.height < 1 || size.width > Self.maximumSide || size.height > Self.maximumSide {
            throw MediaError(.argument, input: input, message: "output size \(size.width)×\(size.height) is out of range")
        }
        guard maximumPixels >= 1 && maximumPixels <= Self.maximumSide * Self.maximumSide else {
            throw MediaError(
                .argument, input: input,
                message: "maximum frame size must be 1 to \(Self.maximumSide * Self.maximumSide) pixels, got \(maximumPixels)")
        }
        if decoderThreads < 0 || decoderThreads > 64 {
            throw MediaError(.argument, input: input, message: "decoder threads must be 0 to 64, got \(decoderThreads)")
        }
        _ = try selection.validated(input: input)
        return self
    }

    /// Why a `width × height` frame is refused, or nil when it is within the limits.
    func frameSizeProblem(width: Int, height: Int) -> String? {
        guard width > Self.maximumSide || height > Self.maximumSide || width * height > maximumPixels else { return nil }
        return
            "the frame size \(width)×\(height) is larger than this reader accepts (at most \(Self.maximumSide) pixels a side and \(maximumPixels) pixels)"
    }
}
