import Sinks
import WebAPI

/// Where each configured stream stands, as its `stream` records tell: state, since when, the last message and the
/// last error. A value type: ``DaemonAPIState`` keeps it behind its lock and adds the frame counts and rates.
///
/// The error: a `lost` record's message, or an `ended` record's message unless the end is a normal one (the file was
/// read to its end, the daemon is stopping, a resume point says the file was already processed, a reload removed the
/// stream); a `connected` record clears it; `reconnecting` keeps it (the reason the stream is reconnecting).
struct StreamBoard: Sendable {
    /// One stream's entry.
    struct Entry: Sendable, Equatable {
        let name: String
        /// The configured URL with its password redacted (``URLRedaction``).
        let url: String
        let live: Bool
        let model: String
        var state: StreamStatus.State = .starting
        var since: Double?
        var message: String?
        var error: String?
    }

    /// In configuration order.
    private(set) var entries: [Entry]

    /// The streams of `configuration`, each `starting`.
    init(configuration: DaemonConfiguration) {
        entries = configuration.streams.map { Self.entry(for: $0, defaultModel: configuration.modelPath) }
    }

    /// A fresh `starting` entry for `stream`.
    static func entry(for stream: StreamConfiguration, defaultModel: String) -> Entry {
        Entry(name: stream.name, url: URLRedaction.redacting(stream.url), live: stream.live, model: stream.model ?? defaultModel)
    }

    /// The entry of the stream named `name`.
    func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// Takes in a `stream` record (others are ignored); returns whether an entry changed.
    @discardableResult
    mutating func apply(_ record: StreamRecord) -> Bool {
        guard let i = entries.firstIndex(where: { $0.name == record.stream }) else { return false }
        entries[i].since = record.time
        entries[i].message = record.message
        switch record.state {
        case .connected:
            entries[i].state = .connected
            entries[i].error = nil
        case .reconnecting:
            entries[i].state = .reconnecting
        case .lost:
            entries[i].state = .lost
            entries[i].error = record.message ?? "lost"
        case .ended:
            entries[i].state = .ended
            if let message = record.message, !Self.isNormalEnd(message) { entries[i].error = message }
        }
        return true
    }

    /// Replaces the streams with `configuration`'s (a reload): a stream whose name, URL, `live` and model are unchanged
    /// keeps its state; others start over as `starting`; removed ones are dropped.
    mutating func replaceStreams(with configuration: DaemonConfiguration) {
        entries = configuration.streams.map { stream in
            let fresh = Self.entry(for: stream, defaultModel: configuration.modelPath)
            guard let old = entry(named: stream.name), old.url == fresh.url, old.live == fresh.live, old.model == fresh.model
            else { return fresh }
            return old
        }
    }

    /// Whether an `ended` message tells of a normal end rather than a failure. The daemon's normal ends say "end of
    /// file after N frames", "daemon stopping", "already processed (resume point …)" or name a reload.
    static func isNormalEnd(_ message: String) -> Bool {
        message.hasPrefix("end of file") || message == "daemon stopping" || message.hasPrefix("already processed")
            || message.contains("reload")
    }
}
