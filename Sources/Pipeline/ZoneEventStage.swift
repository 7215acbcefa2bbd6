import Events
import Sinks

/// The event stage of a stream with zones or lines: runs its ``Events/EventEngine`` on every tracked frame, writes
/// the `event` records it returns, lets it annotate the frame's detections (`zones`) and the ended tracks (`zones`,
/// `lines`), and counts events and zone occupancy in the metrics.
struct ZoneEventStage: EventStage {
    private var engine: EventEngine
    private let metrics: ZoneEventMetrics

    /// A stage for `stream`'s zones and lines, counting into `metrics`.
    init(stream: StreamConfiguration, metrics: PipelineMetrics) {
        engine = EventEngine(stream: stream.name, zones: stream.zones, lines: stream.lines)
        self.metrics = ZoneEventMetrics(stream: stream, metrics: metrics)
    }

    /// The factory the daemon and `ssdd detect` use: this stage for streams with zones or lines, the pass-through
    /// stage for the others (their records stay exactly as they were).
    static func factory(metrics: PipelineMetrics) -> EventStageFactory {
        { stream in
            stream.zones.isEmpty && stream.lines.isEmpty ? PassThroughEventStage() : ZoneEventStage(stream: stream, metrics: metrics)
        }
    }

    mutating func analyze(_ frame: inout TrackedFrame) -> [Record] {
        let events = engine.process(&frame.record, endedTracks: &frame.endedTracks)
        metrics.count(events)
        return events.map(Record.event)
    }

    mutating func finish(endedTracks: inout [TrackRecord]) -> [Record] {
        let events = engine.finish(endedTracks: &endedTracks)
        metrics.count(events)
        return events.map(Record.event)
    }
}
