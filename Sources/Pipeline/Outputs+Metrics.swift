import Sinks
import Synchronization

extension Outputs {
    /// Registers the outputs' metrics with `metrics`, read at every scrape: per output queue (label `output`,
    /// `file:PATH` or `socket:PATH`) its health, depth, lines and drops; per file (label `path`) its sink's
    /// counters; per broker output (label `output`) its delivery reports; the socket's subscribers. Outputs a reload
    /// opens appear at the next scrape (one reopened under the same name continues its series; a counter of the new
    /// output starts again, which Prometheus reads as a reset); closed ones keep their last value.
    func sampleMetrics(into metrics: PipelineMetrics) {
        func family<Item>(
            _ metric: MetricDefinition, _ items: @escaping @Sendable () -> [Item], name: @escaping @Sendable (Item) -> String,
            _ value: @escaping @Sendable (Item) -> Int
        ) {
            let seen = SeenNames()
            let initial = seen.update(items().map(name)).map { [$0] }
            metrics.sample(metric, labelValues: initial, labels: { seen.update(items().map(name)).map { [$0] } }) {
                var current: [String: Double] = [:]
                for item in items() { current[name(item)] = Double(value(item)) }
                return seen.names.map { current[$0] }
            }
        }
        func perQueue(_ metric: MetricDefinition, _ value: @escaping @Sendable (OutputQueueStatistics) -> Int) {
            family(metric, { self.queues }, name: \.name) { value($0.statistics) }
        }
        perQueue(.outputUp) { $0.isHealthy ? 1 : 0 }
        perQueue(.outputQueuedLines) { $0.queued }
        perQueue(.outputLines) { $0.written }
        perQueue(.outputLinesDropped) { $0.dropped }

        func perFile(_ metric: MetricDefinition, _ value: @escaping @Sendable (FileSinkStatistics) -> Int) {
            family(metric, { self.files }, name: \.configuration.path) { value($0.statistics) }
        }
        perFile(.fileLinesWritten) { $0.linesWritten }
        perFile(.fileWrittenBytes) { $0.bytesWritten }
        perFile(.fileWriteFailures) { $0.failures }
        perFile(.fileLinesPending) { $0.pendingLines }
        perFile(.fileLinesDropped) { $0.linesDropped }
        perFile(.fileRotations) { $0.rotations }

        func perBroker(_ metric: MetricDefinition, _ value: @escaping @Sendable (DeliveryStatistics) -> Int) {
            family(metric, { self.brokers }, name: \.name) { value($0.sink.deliveryStatistics) }
        }
        perBroker(.outputRecordsDelivered) { $0.delivered }
        perBroker(.outputRecordFailures) { $0.failed }
        perBroker(.outputRecordsDropped) { $0.dropped }
        perBroker(.outputRecordsInFlight) { $0.inFlight }
        perBroker(.outputConnected) { $0.connected ? 1 : 0 }

        if publisher != nil {
            metrics.sample(.subscribers, labelValues: [[]]) { [self] in [publisher.map { Double($0.subscriberCount) }] }
            metrics.sample(.subscribersDisconnectedSlow, labelValues: [[]]) { [self] in
                [publisher.map { Double($0.slowConsumerDisconnects) }]
            }
        }
    }
}

/// The label values a sampled family has shown so far, in the order they first appeared (a family's label sets
/// only grow).
private final class SeenNames: Sendable {
    private let storage = Mutex<[String]>([])

    var names: [String] { storage.withLock { $0 } }

    /// Adds the names not seen before and returns them all.
    func update(_ current: [String]) -> [String] {
        storage.withLock { names in
            for name in current where !names.contains(name) { names.append(name) }
            return names
        }
    }
}
