import CoreMetrics
import Prometheus

/// The swift-metrics backend of the daemon: every handle it makes is a collector in one
/// `PrometheusCollectorRegistry`, carrying the `# HELP` text and histogram buckets of its ``MetricDefinition``.
///
/// It is passed to each metric explicitly (`Counter(label:dimensions:factory:)`) and never bootstrapped into the
/// process-wide `MetricsSystem`, so every daemon, and every test, records into a registry of its own.
///
/// Why not swift-prometheus' `PrometheusMetricsFactory`: it sets buckets per label but emits no `# HELP` line, and
/// the registry stops the process when one name is registered with two different help texts, so help cannot be
/// added beside it. Here the help comes from the catalogue, the same for every registration of a name.
///
/// - Important: a label must name one metric type only (the registry traps on a type clash); the catalogue
///   declares one ``MetricDefinition/Kind`` per name and debug builds assert that requests match it.
struct PrometheusCatalogFactory: MetricsFactory {
    /// Where the collectors live; `emitToString()` renders them.
    let registry: PrometheusCollectorRegistry
    /// Definitions by name; a label not in it gets no help line and ``MetricDefinition/latencyBuckets``.
    let catalog: [String: MetricDefinition]

    /// A factory recording into `registry`, describing metrics from `catalog`.
    init(
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        catalog: [String: MetricDefinition] = MetricDefinition.catalog
    ) {
        self.registry = registry
        self.catalog = catalog
    }

    private func descriptor(_ label: String, _ kind: MetricDefinition.Kind) -> MetricNameDescriptor {
        let definition = catalog[label]
        assert(definition.map { Self.sameType($0.kind, kind) } ?? true, "\(label) requested as \(kind), declared \(definition!.kind)")
        return MetricNameDescriptor(metricName: label, unitName: "", helpText: definition?.help ?? "")
    }

    private func buckets(_ label: String) -> [Duration] {
        if case .histogram(let buckets) = catalog[label]?.kind { return buckets }
        return MetricDefinition.latencyBuckets
    }

    private static func sameType(_ a: MetricDefinition.Kind, _ b: MetricDefinition.Kind) -> Bool {
        switch (a, b) {
        case (.counter, .counter), (.gauge, .gauge), (.histogram, .histogram): true
        default: false
        }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label, .counter), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label, .counter), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label, .gauge), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label, .gauge), labels: dimensions) }
        let bounds = buckets(label).map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        return registry.makeValueHistogram(descriptor: descriptor(label, .histogram(buckets: [])), labels: dimensions, buckets: bounds)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label, .histogram(buckets: [])), labels: dimensions, buckets: buckets(label))
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge {
            registry.unregisterGauge(gauge)
        } else if let histogram = handler as? ValueHistogram {
            registry.unregisterValueHistogram(histogram)
        }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
