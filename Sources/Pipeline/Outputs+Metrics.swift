import Sinks

extension Outputs {
    /// Registers the outputs' metrics with `metrics`, read at every scrape: per output queue (label `output`,
    /// `file:PATH` or `socket:PATH`) its health, depth, lines and drops; per file (label `path`) its sink's
    /// counters; per broker output (label `output`) its delivery reports; the socket's subscribers.
    func sampleMetrics(into metrics: PipelineMetrics) {
        let queues = self.queues
        let outputNames = queues.map { [$0.name] }
        func perQueue(_ metric: MetricDefinition, _ value: @escaping @Sendable (OutputQueueStatistics) -> Int) {
            metrics.sample(metric, labelValues: outputNames) { queues.map { Double(value($0.statistics)) } }
        }
        perQueue(.outputUp) { $0.isHealthy ? 1 : 0 }
        perQueue(.outputQueuedLines) { $0.queued }
        perQueue(.outputLines) { $0.written }
        perQueue(.outputLinesDropped) { $0.dropped }

        let files = self.files
        let paths = files.map { [$0.configuration.path] }
        func perFile(_ metric: MetricDefinition, _ value: @escaping @Sendable (FileSinkStatistics) -> Int) {
            metrics.sample(metric, labelValues: paths) { files.map { Double(value($0.statistics)) } }
        }
        perFile(.fileLinesWritten) { $0.linesWritten }
        perFile(.fileWrittenBytes) { $0.bytesWritten }
        perFile(.fileWriteFailures) { $0.failures }
        perFile(.fileLinesPending) { $0.pendingLines }
        perFile(.fileLinesDropped) { $0.linesDropped }
        perFile(.fileRotations) { $0.rotations }

        let brokers = self.brokers
        let brokerNames = brokers.map { [$0.name] }
        func perBroker(_ metric: MetricDefinition, _ value: @escaping @Sendable (DeliveryStatistics) -> Int) {
            metrics.sample(metric, labelValues: brokerNames) { brokers.map { Double(value($0.sink.deliveryStatistics)) } }
        }
        perBroker(.outputRecordsDelivered) { $0.delivered }
        perBroker(.outputRecordFailures) { $0.failed }
        perBroker(.outputRecordsDropped) { $0.dropped }
        perBroker(.outputRecordsInFlight) { $0.inFlight }
        perBroker(.outputConnected) { $0.connected ? 1 : 0 }

        if let publisher {
            metrics.sample(.subscribers, labelValues: [[]]) { [Double(publisher.subscriberCount)] }
            metrics.sample(.subscribersDisconnectedSlow, labelValues: [[]]) { [Double(publisher.slowConsumerDisconnects)] }
        }
    }
}
