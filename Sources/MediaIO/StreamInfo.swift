/// What the container says about the selected video stream.
public struct StreamInfo: Sendable, Equatable, Codable {
    /// Container format short name(s), e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    public var container: String
    /// Codec short name, e.g. `h264`.
    public var codec: String
    public var width: Int
    public var height: Int
    /// Average frame rate in frames per second, if known.
    public var frameRate: Double?
    /// The same rate as the container's exact fraction (e.g. 30000/1001), if known.
    public var exactFrameRate: FrameRate?
    /// Duration in seconds, if known.
    public var duration: Double?
    /// Frame count stated by the container, if it states one.
    public var declaredFrameCount: Int?
    /// Index of the stream within the container.
    public var streamIndex: Int

    public init(
        container: String, codec: String, width: Int, height: Int, frameRate: Double?, duration: Double?,
        declaredFrameCount: Int?, streamIndex: Int, exactFrameRate: FrameRate? = nil
    ) {
        self.exactFrameRate = exactFrameRate
        self.container = container
        self.codec = codec
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.duration = duration
        self.declaredFrameCount = declaredFrameCount
        self.streamIndex = streamIndex
    }
}
