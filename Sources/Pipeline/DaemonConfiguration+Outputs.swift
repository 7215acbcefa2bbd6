import Foundation
import Sinks
import Tracking

/// The settings each output and the tracker are built with, derived from the configuration in one place, so that
/// `ssdd config check` and `ssdd run` validate exactly the same values.
extension DaemonConfiguration {
    /// One JSON Lines file and the streams that write to it.
    public struct FileOutput: Sendable, Equatable {
        public var configuration: FileSinkConfiguration
        /// Indices into ``DaemonConfiguration/streams``.
        public var streams: [Int]
    }

    /// The file outputs: one shared file, or one `<stream>.jsonl` per stream in the `per_stream` directory.
    public var fileOutputs: [FileOutput] {
        guard let file = output.file else { return [] }
        func sink(_ path: String) -> FileSinkConfiguration {
            FileSinkConfiguration(
                path: path, maxFileBytes: file.rotateBytes > 0 ? file.rotateBytes : nil,
                rotationInterval: file.rotateSeconds > 0 ? .nanoseconds(Int64(file.rotateSeconds * 1e9)) : nil,
                fileMode: file.mode, group: file.group)
        }
        if file.perStream {
            return streams.indices.map { i in
                FileOutput(configuration: sink((file.path as NSString).appendingPathComponent("\(streams[i].name).jsonl")), streams: [i])
            }
        }
        return [FileOutput(configuration: sink(file.path), streams: Array(streams.indices))]
    }

    /// The Unix-socket publisher's settings, if the socket output is configured.
    public var publisherConfiguration: PublisherConfiguration? {
        output.socket?.publisher
    }

    /// Checks the settings as the outputs and trackers will check them when the daemon starts, reporting the
    /// configuration file's own key names.
    func validateComponents(file: String) throws(ConfigurationError) {
        do {
            try tracker.validate()
        } catch {
            let (key, expected, actual) = error.invalidConfiguration
            throw ConfigurationError(file: file, key: Self.fileKey(key), message: "must be \(expected), got \(actual)")
        }
        do {
            for output in fileOutputs { try output.configuration.validate() }
            try publisherConfiguration?.validate()
        } catch {
            if let (key, expected, actual) = error.invalidConfiguration {
                throw ConfigurationError(file: file, key: Self.fileKey(key), message: "must be \(expected), got \(actual)")
            }
            throw ConfigurationError(file: file, key: "output", message: "\(error)")
        }
        try validateKafka(file: file)
        try validateMQTT(file: file)
        try metrics?.limits.validate(file: file)
    }

    /// The configuration file's name for a component's internal key (the socket publisher already uses the file's).
    static func fileKey(_ key: String) -> String {
        let names = [
            "tracker.maxAge": "tracker.max_age", "tracker.minHits": "tracker.min_hits",
            "tracker.iouThreshold": "tracker.iou_threshold",
            "sinks.file.path": "output.file.path", "sinks.file.maxFileBytes": "output.file.rotate_bytes",
            "sinks.file.rotationInterval": "output.file.rotate_seconds", "sinks.file.fileMode": "output.file.mode",
            "sinks.file.group": "output.file.group",
        ]
        return names[key] ?? key
    }
}
