/// How each stream's latest picture is made by the ``SnapshotWriter``: how often, and where it goes — the
/// `<stream>/latest.jpg` file of `[output.snapshots]`, the HTTP API's in-memory ``LatestPictures``, or both (the same
/// encoded bytes).
struct LatestPicturePolicy: Sendable {
    /// Nanoseconds at least between two latest pictures of a stream.
    let interval: UInt64
    /// Write `<stream>/latest.jpg` in the snapshot directory.
    let writesFile: Bool
    /// Keep the bytes in memory for the API; nil keeps none.
    let store: LatestPictures?

    /// The policy of `[output.snapshots]` alone: `latest.jpg` at its `latest_fps` when `latest = true`, else none.
    static func files(_ configuration: SnapshotConfiguration) -> LatestPicturePolicy? {
        guard configuration.latest else { return nil }
        return LatestPicturePolicy(interval: configuration.latestInterval, writesFile: true, store: nil)
    }

    /// The policy with the HTTP API on (`[http] latest_fps` = `framesPerSecond`): with `[output.snapshots] latest =
    /// true`, its files at its rate, the same bytes kept for the API; otherwise memory only, at `framesPerSecond`.
    static func withAPI(snapshots: SnapshotConfiguration?, framesPerSecond: Double, store: LatestPictures) -> LatestPicturePolicy {
        if let snapshots, snapshots.latest {
            return LatestPicturePolicy(interval: snapshots.latestInterval, writesFile: true, store: store)
        }
        return LatestPicturePolicy(interval: UInt64((1e9 / framesPerSecond).rounded()), writesFile: false, store: store)
    }
}
