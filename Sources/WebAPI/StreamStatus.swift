/// One stream as `GET /api/v1/streams` reports it.
///
/// ```json
/// {"name":"cam1","url":"rtsp://admin:***@10.0.0.5/stream1","live":true,"model":"/var/lib/ssdd/person.safetensors",
///  "state":"connected","since":1767225600.25,"message":"h264 1280x720",
///  "frames":{"decoded":1520,"inferred":1498,"dropped":22,"written":1498,"gated":0},
///  "inputFps":25.0,"outputFps":24.6,"lastFrameTime":1767225660.9,"error":null}
/// ```
public struct StreamStatus: Sendable, Equatable, Codable {
    /// Where a stream stands.
    public enum State: String, Sendable, Equatable, Codable, CaseIterable {
        /// Configured, not connected yet (before its first `stream` record).
        case starting
        /// The source is open and frames flow.
        case connected
        /// The source failed or stalled.
        case lost
        /// A reconnect is scheduled or running.
        case reconnecting
        /// Read to its end, removed by a reload, its model failed, or the daemon is stopping.
        case ended
    }

    /// Frame counts since the stream started.
    public struct FrameCounts: Sendable, Equatable, Codable {
        /// Frames decoded and offered to inference.
        public var decoded: Int
        /// Frames through the detector.
        public var inferred: Int
        /// Frames dropped because inference fell behind (live streams only).
        public var dropped: Int
        /// Frames whose records were handed to the outputs.
        public var written: Int
        /// Frames the motion gate held back from the detector (they reused the last detections); 0 without
        /// `motion = true`.
        public var gated: Int

        public init(decoded: Int = 0, inferred: Int = 0, dropped: Int = 0, written: Int = 0, gated: Int = 0) {
            self.decoded = decoded
            self.inferred = inferred
            self.dropped = dropped
            self.written = written
            self.gated = gated
        }
    }

    /// The stream's configured name.
    public var name: String
    /// The configured URL or path with any password replaced by `***`.
    public var url: String
    /// Live (reconnects, drops when behind) or a file (read once, never drops).
    public var live: Bool
    /// The model file the stream runs.
    public var model: String
    public var state: State
    /// When the stream entered `state`, seconds since the Unix epoch; nil while `starting`.
    public var since: Double?
    /// The detail of the last state change (codec and size, or the error), if any.
    public var message: String?
    public var frames: FrameCounts
    /// Frames decoded per second over the last 10 s.
    public var inputFps: Double
    /// Frames written per second over the last 10 s.
    public var outputFps: Double
    /// When the stream's last frame was written, seconds since the Unix epoch; nil before the first.
    public var lastFrameTime: Double?
    /// The last error (a failed open, a lost connection, a model that did not load); nil while healthy.
    public var error: String?

    public init(
        name: String, url: String, live: Bool, model: String, state: State = .starting, since: Double? = nil,
        message: String? = nil, frames: FrameCounts = FrameCounts(), inputFps: Double = 0, outputFps: Double = 0,
        lastFrameTime: Double? = nil, error: String? = nil
    ) {
        self.name = name
        self.url = url
        self.live = live
        self.model = model
        self.state = state
        self.since = since
        self.message = message
        self.frames = frames
        self.inputFps = inputFps
        self.outputFps = outputFps
        self.lastFrameTime = lastFrameTime
        self.error = error
    }

    private enum CodingKeys: String, CodingKey {
        case name, url, live, model, state, since, message, frames, inputFps, outputFps, lastFrameTime, error
    }

    /// Optional fields are written as `null` (not omitted), so every answer has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(url, forKey: .url)
        try container.encode(live, forKey: .live)
        try container.encode(model, forKey: .model)
        try container.encode(state, forKey: .state)
        try container.encode(since, forKey: .since)
        try container.encode(message, forKey: .message)
        try container.encode(frames, forKey: .frames)
        try container.encode(inputFps, forKey: .inputFps)
        try container.encode(outputFps, forKey: .outputFps)
        try container.encode(lastFrameTime, forKey: .lastFrameTime)
        try container.encode(error, forKey: .error)
    }
}
