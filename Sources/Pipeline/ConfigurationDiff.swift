/// What a reload changes: the streams by name, the outputs to reopen, and the settings that only a restart applies.
///
/// A stream is compared with everything that shapes it — its own settings with the model path and queue it
/// effectively uses (`model` or `[model] path`, `queue` or `[workers] queue`), its zones and lines — and with the
/// shared `[tracker]`: a change to any of these restarts the stream alone. Settings that only a restart applies
/// (``restartKeys``) keep their running values in ``effective``.
struct ConfigurationDiff: Sendable, Equatable {
    /// Streams only in the new configuration (in its order).
    var added: [String] = []
    /// Streams only in the old configuration.
    var removed: [String] = []
    /// Streams in both whose effective settings differ: they restart.
    var changed: [String] = []
    /// Streams in both with the same effective settings: they run on untouched.
    var unchanged: [String] = []
    /// Keys whose new value needs a restart (the running value is kept), with a note each.
    var restartKeys: [String] = []
    /// Output sections whose settings changed (reopened): `output.file`, `output.socket`, `output.kafka`, `output.mqtt`.
    var outputs: [String] = []
    /// The configuration to run: the new one, with the running value of every setting in ``restartKeys``.
    var effective: DaemonConfiguration

    init(old: DaemonConfiguration, new: DaemonConfiguration) {
        var effective = new
        var restartKeys: [String] = []
        func keep<T: Equatable>(_ key: String, _ path: WritableKeyPath<DaemonConfiguration, T>) {
            guard old[keyPath: path] != new[keyPath: path] else { return }
            restartKeys.append(key)
            effective[keyPath: path] = old[keyPath: path]
        }
        keep("workers.count", \.workers.count)
        keep("workers.threads", \.workers.threads)
        keep("workers.winograd", \.workers.winograd)
        keep("workers.max_batch", \.workers.maxBatch)
        keep("workers.live_backlog", \.workers.liveBacklog)
        keep("metrics", \.metrics)
        keep("state.dir", \.stateDirectory)
        keep("logging.level", \.logLevel)
        keep("output.empty_frames", \.output.emptyFrames)
        keep("output.snapshots", \.output.snapshots)
        // The HTTP listener keeps its address and limits; its token file is read again on every reload.
        keep("http", \.http)
        self.effective = effective
        self.restartKeys = restartKeys
        let before = Dictionary(uniqueKeysWithValues: old.streams.map { ($0.name, Self.shape(of: $0, in: old)) })
        let after = Set(new.streams.map(\.name))
        for stream in new.streams {
            guard let previous = before[stream.name] else {
                added.append(stream.name)
                continue
            }
            if previous == Self.shape(of: stream, in: effective) && old.tracker == new.tracker {
                unchanged.append(stream.name)
            } else {
                changed.append(stream.name)
            }
        }
        removed = old.streams.map(\.name).filter { !after.contains($0) }
        if old.output.file != new.output.file { outputs.append("output.file") }
        if old.output.socket != new.output.socket { outputs.append("output.socket") }
        if old.output.kafka != new.output.kafka { outputs.append("output.kafka") }
        if old.output.mqtt != new.output.mqtt { outputs.append("output.mqtt") }
    }

    /// Whether the reload changes nothing that runs.
    var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty && outputs.isEmpty }

    /// `stream` with the model path and queue it effectively uses in `configuration`.
    static func shape(of stream: StreamConfiguration, in configuration: DaemonConfiguration) -> StreamConfiguration {
        var shape = stream
        shape.model = stream.model ?? configuration.modelPath
        shape.queueCapacity = stream.queueCapacity ?? configuration.workers.queueCapacity
        return shape
    }
}
