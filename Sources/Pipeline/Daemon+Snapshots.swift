/// The snapshot parts of the daemon's assembly (see ``SnapshotWriter``).
extension Daemon {
    /// The snapshot writer of `[output.snapshots]`, its streams' directories created and its counts registered as
    /// metrics; nil without snapshots. Throws a ``StartupError`` naming `output.snapshots.dir`.
    func makeSnapshotWriter() throws -> SnapshotWriter? {
        guard let snapshots = configuration.output.snapshots else { return nil }
        let names = configuration.streams.map(\.name)
        let writer = SnapshotWriter(configuration: snapshots, streamNames: names, logger: logger)
        try writer.createDirectories()
        writer.sampleMetrics(into: metrics)
        return writer
    }
}
