import WebAPI

/// The snapshot parts of the daemon's assembly (see ``SnapshotWriter``).
extension Daemon {
    /// The snapshot writer of `[output.snapshots]`, its streams' directories created and its counts registered as
    /// metrics; with `[http]` (`pictures` given) it also keeps each stream's latest picture in `pictures` — made in
    /// memory only, at `[http] latest_fps`, when `[output.snapshots]` is absent or has `latest = false`. Nil with
    /// neither. Throws a ``StartupError`` naming `output.snapshots.dir`.
    func makeSnapshotWriter(pictures: LatestPictures? = nil) throws -> SnapshotWriter? {
        let names = configuration.streams.map(\.name)
        let snapshots = configuration.output.snapshots
        guard let pictures, let http = configuration.http else {
            guard let snapshots else { return nil }
            let writer = SnapshotWriter(configuration: snapshots, streamNames: names, logger: logger)
            try writer.createDirectories()
            writer.sampleMetrics(into: metrics)
            return writer
        }
        let latest = LatestPicturePolicy.withAPI(snapshots: snapshots, framesPerSecond: http.latestFramesPerSecond, store: pictures)
        guard let snapshots else {
            // Memory only: no directory, no track pictures, nothing swept.
            let memory = SnapshotConfiguration(
                directory: "", crop: false, latest: true, latestFramesPerSecond: http.latestFramesPerSecond, retainDays: 0)
            return SnapshotWriter(configuration: memory, latest: latest, tracks: false, streamNames: names, logger: logger)
        }
        let writer = SnapshotWriter(configuration: snapshots, latest: latest, tracks: true, streamNames: names, logger: logger)
        try writer.createDirectories()
        writer.sampleMetrics(into: metrics)
        return writer
    }
}
