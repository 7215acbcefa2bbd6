import Sinks

/// What the HTTP API serves: the daemon's live state, read on the server's event loops.
///
/// Every method returns at once (no I/O, no waiting on the pipeline): implementations keep the answers in memory,
/// behind locks held only for copying. The daemon implements it in `Pipeline` (`DaemonAPIState`); tests may
/// implement it with fixed values to exercise the server alone.
public protocol APIState: Sendable {
    /// Every configured stream, in configuration order.
    func streams() -> [StreamStatus]
    /// One stream by name; nil when no stream has that name.
    func stream(named name: String) -> StreamStatus?
    /// The stream's newest annotated picture as JPEG bytes; nil before its first picture (or for an unknown stream).
    func latestPicture(stream name: String) -> [UInt8]?
    /// Recent `track` and `event` records matching `query`, newest first, at most `query.limit`.
    func events(matching query: EventQuery) -> [JSONLine]
    /// The running configuration as a JSON object (UTF-8), secrets redacted.
    func configurationJSON() -> [UInt8]
    /// The Prometheus text exposition of the daemon's metrics.
    func metricsText() -> String
}
