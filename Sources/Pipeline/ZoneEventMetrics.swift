import CoreMetrics
import Events
import Sinks

/// One stream's event metrics: `ssdd_zone_events_total{stream,zone,event}`,
/// `ssdd_line_crossings_total{stream,line,direction}` and `ssdd_zone_occupancy{stream,zone,label}` (confirmed tracks
/// inside now). Used from the stream's delivery task only (the handles themselves are thread-safe).
final class ZoneEventMetrics {
    private let stream: String
    private let factory: PrometheusCatalogFactory
    /// The event counters by metric name and label values.
    private var counters: [[String]: CoreMetrics.Counter] = [:]
    private var occupancy: [String: (count: Int, gauge: CoreMetrics.Gauge)] = [:]

    /// Registers the stream's counters at 0 (and its occupancy gauges, for zones that name their labels).
    init(stream: StreamConfiguration, metrics: PipelineMetrics) {
        self.stream = stream.name
        factory = PrometheusCatalogFactory(registry: metrics.registry)
        for zone in stream.zones {
            for event in [EventRecord.Event.enter, .exit, .loiter] { _ = zoneCounter(zone.name, event) }
            for label in zone.labels ?? [] { _ = occupant(zone.name, label) }
        }
        for line in stream.lines {
            for direction in [EventRecord.Direction.in, .out] { _ = crossingCounter(line.name, direction) }
        }
    }

    /// Counts `events` and follows occupancy (enter +1, exit −1).
    func count(_ events: [EventRecord]) {
        for event in events {
            switch event.place {
            case .zone(let zone):
                zoneCounter(zone, event.event).increment()
                if event.event == .enter { changeOccupancy(zone, event.label, by: 1) }
                if event.event == .exit { changeOccupancy(zone, event.label, by: -1) }
            case .line(let line):
                crossingCounter(line, event.direction ?? .in).increment()
            }
        }
    }

    private func zoneCounter(_ zone: String, _ event: EventRecord.Event) -> CoreMetrics.Counter {
        counter(.zoneEvents, [("zone", zone), ("event", event.rawValue)])
    }

    private func crossingCounter(_ line: String, _ direction: EventRecord.Direction) -> CoreMetrics.Counter {
        counter(.lineCrossings, [("line", line), ("direction", direction.rawValue)])
    }

    /// The stream's counter of `metric` with `dimensions` (after `stream`), made on first use.
    private func counter(_ metric: MetricDefinition, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        let key = [metric.name] + dimensions.map(\.1)
        if let counter = counters[key] { return counter }
        let counter = CoreMetrics.Counter(label: metric.name, dimensions: [("stream", stream)] + dimensions, factory: factory)
        counters[key] = counter
        return counter
    }

    private func occupant(_ zone: String, _ label: String) -> (count: Int, gauge: CoreMetrics.Gauge) {
        let key = "\(zone)\u{0}\(label)"
        if let entry = occupancy[key] { return entry }
        let gauge = CoreMetrics.Gauge(
            label: MetricDefinition.zoneOccupancy.name, dimensions: [("stream", stream), ("zone", zone), ("label", label)], factory: factory)
        gauge.record(0)
        occupancy[key] = (0, gauge)
        return (0, gauge)
    }

    private func changeOccupancy(_ zone: String, _ label: String, by change: Int) {
        let entry = occupant(zone, label)
        let count = max(0, entry.count + change)
        occupancy["\(zone)\u{0}\(label)"] = (count, entry.gauge)
        entry.gauge.record(count)
    }
}
