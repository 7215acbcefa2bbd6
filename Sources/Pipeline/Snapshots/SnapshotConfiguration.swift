/// `[output.snapshots]`: JPEG pictures of what the daemon saw. Per confirmed track, its best-scoring frame with the box
/// drawn (and a crop of the box), named in the track's `end` record; per stream, `latest.jpg`, refreshed at most
/// `latest_fps` times a second; files older than `retain_days` removed.
public struct SnapshotConfiguration: Sendable, Equatable {
    /// Directory the pictures go to (`dir`, required; created when missing from a writable directory): one
    /// subdirectory per stream.
    public var directory: String
    /// JPEG quality 1 … 100 (`quality`, default 85).
    public var quality: Int
    /// Also write the track's box cut out of the frame, undrawn (`crop`, default true).
    public var crop: Bool
    /// Keep `<stream>/latest.jpg`, the newest frame with its detections drawn (`latest`, default true).
    public var latest: Bool
    /// At most this many `latest.jpg` updates per second (`latest_fps`, default 1, 0.01 … 30).
    public var latestFramesPerSecond: Double
    /// Remove pictures older than this many days (`retain_days`, default 7; 0 keeps them forever). Checked at start-up
    /// and every ``cleanupInterval`` seconds.
    public var retainDays: Double

    /// Seconds between two retention sweeps (one hour).
    public static let cleanupInterval: Double = 3600
    /// Pictures waiting to be encoded at most (all streams together); more are dropped and counted. Each holds one
    /// frame's pixels (a 1080p frame is 6 MB).
    public static let queueCapacity = 8

    /// Creates the settings; every value but `directory` has its documented default.
    public init(
        directory: String, quality: Int = 85, crop: Bool = true, latest: Bool = true, latestFramesPerSecond: Double = 1,
        retainDays: Double = 7
    ) {
        self.directory = directory
        self.quality = quality
        self.crop = crop
        self.latest = latest
        self.latestFramesPerSecond = latestFramesPerSecond
        self.retainDays = retainDays
    }

    /// Nanoseconds at least between two `latest.jpg` frames of a stream.
    var latestInterval: UInt64 { UInt64((1e9 / latestFramesPerSecond).rounded()) }
}
