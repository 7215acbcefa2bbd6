import Sinks
import Synchronization
import WebAPI

/// The daemon's side of the HTTP API (`WebAPI.APIState`): stream statuses, recent events, latest pictures, the
/// running configuration and the metrics, each answered from memory without waiting on the pipeline.
///
/// Fed by the ``APIRecordSink`` (stream records and events), ``PipelineMetrics`` (frame counts and rates, read when
/// asked) and the ``SnapshotWriter`` (pictures, in ``pictures``). A reload hands the new configuration to
/// ``apply(_:)``.
final class DaemonAPIState: APIState {
    private struct State {
        var configuration: DaemonConfiguration
        var board: StreamBoard
        var events: EventRing
        var configurationJSON: [UInt8]
    }

    /// The latest pictures, stored by the snapshot writer.
    let pictures: LatestPictures
    private let metrics: PipelineMetrics
    private let state: Mutex<State>

    /// The state for `configuration` (its `[http] events` sizes the event ring), reading counts from `metrics`.
    init(configuration: DaemonConfiguration, metrics: PipelineMetrics, pictures: LatestPictures = LatestPictures()) {
        self.metrics = metrics
        self.pictures = pictures
        let capacity = configuration.http?.events ?? HTTPConfiguration.defaultEvents
        state = Mutex(
            State(
                configuration: configuration, board: StreamBoard(configuration: configuration), events: EventRing(capacity: capacity),
                configurationJSON: ConfigurationJSON.encode(configuration)))
    }

    // MARK: Fed by the pipeline

    /// Takes in one line of the outputs.
    func take(_ line: JSONLine) {
        take(contentsOf: [line])
    }

    /// Takes in lines of the outputs, in order.
    func take(contentsOf lines: [JSONLine]) {
        state.withLock { state in
            for line in lines {
                switch line.record {
                case .stream(let record): state.board.apply(record)
                case .track, .event: state.events.append(line)
                default: continue
                }
            }
        }
    }

    /// A reload: streams added get a `starting` status, removed ones are dropped (with their pictures), changed ones
    /// start over; the configuration JSON is replaced. The event ring keeps its lines and capacity.
    func apply(_ configuration: DaemonConfiguration) {
        let json = ConfigurationJSON.encode(configuration)
        state.withLock { state in
            state.configuration = configuration
            state.board.replaceStreams(with: configuration)
            state.configurationJSON = json
        }
        pictures.keepOnly(Set(configuration.streams.map(\.name)))
    }

    // MARK: APIState

    func streams() -> [StreamStatus] {
        let entries = state.withLock { $0.board.entries }
        return entries.map(status)
    }

    func stream(named name: String) -> StreamStatus? {
        guard let entry = state.withLock({ $0.board.entry(named: name) }) else { return nil }
        return status(entry)
    }

    func latestPicture(stream name: String) -> [UInt8]? {
        pictures.picture(stream: name)
    }

    func events(matching query: EventQuery) -> [JSONLine] {
        state.withLock { $0.events.lines(matching: query) }
    }

    func configurationJSON() -> [UInt8] {
        state.withLock { $0.configurationJSON }
    }

    func metricsText() -> String {
        metrics.render()
    }

    /// The status of `entry` with its frame counts and rates from the metrics (zero for a stream they do not know).
    private func status(_ entry: StreamBoard.Entry) -> StreamStatus {
        let activity = metrics.slotNames.lastIndex(of: entry.name).flatMap { metrics.activity(stream: $0) } ?? StreamActivity()
        return StreamStatus(
            name: entry.name, url: entry.url, live: entry.live, model: entry.model, state: entry.state, since: entry.since,
            message: entry.message,
            frames: StreamStatus.FrameCounts(
                decoded: activity.decoded, inferred: activity.inferred, dropped: activity.dropped, written: activity.written,
                gated: activity.gated),
            inputFps: Self.rounded(activity.inputFramesPerSecond), outputFps: Self.rounded(activity.outputFramesPerSecond),
            lastFrameTime: activity.lastFrameTime, error: entry.error)
    }

    /// A rate to 3 decimals (29.97, not 29.969999999999995).
    static func rounded(_ rate: Double) -> Double { (rate * 1000).rounded() / 1000 }
}
