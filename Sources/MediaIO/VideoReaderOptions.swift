/// How a ``VideoReader`` opens and decodes its input.
public struct VideoReaderOptions: Sendable {
    /// Seconds any single blocking open or read may take before the reader gives up (network and devices).
    public var timeout: Double
    /// Decoder threads; 0 lets FFmpeg choose.
    public var decoderThreads: Int
    /// Size of the RGB frames handed out; nil keeps the source size.
    public var outputSize: (width: Int, height: Int)?
    /// Which frames to hand out.
    public var selection: FrameSelection
    /// Extra demuxer/protocol options passed to `avformat_open_input` (e.g. `rtsp_transport=tcp`).
    public var formatOptions: [String: String]

    public init(
        timeout: Double = 10, decoderThreads: Int = 0, outputSize: (width: Int, height: Int)? = nil,
        selection: FrameSelection = .all, formatOptions: [String: String] = [:]
    ) {
        self.timeout = timeout
        self.decoderThreads = decoderThreads
        self.outputSize = outputSize
        self.selection = selection
        self.formatOptions = formatOptions
    }
}
