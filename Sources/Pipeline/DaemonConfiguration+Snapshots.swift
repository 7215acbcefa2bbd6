import Foundation

/// Reading and checking `[output.snapshots]` (see ``SnapshotConfiguration``).
extension DaemonConfiguration {
    /// The `[output.snapshots]` table of `output`, or nil when absent. Errors name the key.
    static func readSnapshots(_ output: inout TableReader) throws -> SnapshotConfiguration? {
        guard var s = try output.table("snapshots") else { return nil }
        var snapshots = SnapshotConfiguration(directory: try s.requiredString("dir"))
        snapshots.quality = try s.int("quality", default: snapshots.quality, range: 1...100)
        snapshots.crop = try s.bool("crop") ?? snapshots.crop
        snapshots.latest = try s.bool("latest") ?? snapshots.latest
        snapshots.latestFramesPerSecond = try s.double("latest_fps", default: snapshots.latestFramesPerSecond, range: 0.01...30)
        snapshots.retainDays = try s.double("retain_days", default: snapshots.retainDays, range: 0...36_500)
        try s.rejectUnknownKeys()
        return snapshots
    }

    /// Throws unless `[output.snapshots] dir` is a writable directory, or is missing from a writable directory (the
    /// daemon then creates it) (`ssdd config check` and start-up).
    func checkSnapshotsEnvironment(file: String) throws(ConfigurationError) {
        guard let snapshots = output.snapshots else { return }
        var directory = snapshots.directory
        var status = stat()
        if stat(directory, &status) != 0 && errno == ENOENT {
            let parent = (directory as NSString).deletingLastPathComponent
            directory = parent.isEmpty ? "." : parent
        }
        if let problem = Self.problem(writableDirectory: directory) {
            throw ConfigurationError(file: file, key: "output.snapshots.dir", message: problem)
        }
    }
}
