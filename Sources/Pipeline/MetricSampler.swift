import CoreMetrics
import Synchronization

/// Metrics whose values are kept elsewhere (queue depths, output statistics, `/proc`), read when the metrics are
/// scraped and recorded through swift-metrics handles: a gauge is set to the value read; a counter is advanced by
/// what the value grew since the previous scrape, so it stays monotonic in the registry.
///
/// A value that cannot be read (`nil`, not finite, or negative for a counter) leaves its sample as it was; a sample
/// that was never read is not created, so a platform without `/proc` simply lacks those metrics. A counter whose
/// source went backwards (the source was restarted) is reset to the new value, which Prometheus reads as a reset.
final class MetricSampler: Sendable {
    /// One registered metric: its label sets and the closure that reads one value per label set.
    private struct Family {
        let metric: MetricDefinition
        var labels: [[(String, String)]]
        /// Where the label sets come from when they grow at run time (streams added by a reload); nil: fixed.
        let labelSource: (@Sendable () -> [[String]])?
        let fractional: Bool
        let read: @Sendable () -> [Double?]
        var samples: [Sample?]
    }

    /// The handle of one sample and, for counters, the value it last recorded.
    private enum Sample {
        case gauge(CoreMetrics.Gauge)
        case counter(CoreMetrics.Counter, last: Int64)
        case fractionalCounter(FloatingPointCounter, last: Double)
    }

    private let factory: any MetricsFactory
    private let families = Mutex<[Family]>([])

    /// A sampler making its handles with `factory`.
    init(factory: any MetricsFactory) { self.factory = factory }

    /// Registers `metric` with one sample per entry of `labelValues` (each in the order of `metric.labelNames`);
    /// `read` is called at every scrape and returns the values in the same order (`nil`: not available now).
    /// `fractional` counters (e.g. CPU seconds) keep fractions; other counters count whole units.
    /// `labels`, when given, is read at every scrape before `read` and may only append label sets (streams added at
    /// run time); `read` then returns one value per label set it returned.
    func add(
        _ metric: MetricDefinition, labelValues: [[String]], fractional: Bool = false, labels labelSource: (@Sendable () -> [[String]])? = nil,
        read: @escaping @Sendable () -> [Double?]
    ) {
        if case .histogram = metric.kind { preconditionFailure("\(metric.name): a histogram cannot be sampled") }
        precondition(
            labelValues.allSatisfy { $0.count == metric.labelNames.count },
            "\(metric.name) has labels \(metric.labelNames); every sample must give a value for each")
        let labels = labelValues.map { Array(zip(metric.labelNames, $0)) }
        let family = Family(
            metric: metric, labels: labels, labelSource: labelSource, fractional: fractional, read: read,
            samples: Array(repeating: nil, count: labels.count))
        families.withLock { $0.append(family) }
    }

    /// Reads every registered metric and records the values. Call before rendering the registry.
    func update() {
        families.withLock { families in
            for f in families.indices {
                if let source = families[f].labelSource {
                    let current = source()
                    for labelValues in current.dropFirst(families[f].labels.count) where labelValues.count == families[f].metric.labelNames.count {
                        families[f].labels.append(Array(zip(families[f].metric.labelNames, labelValues)))
                        families[f].samples.append(nil)
                    }
                }
                let values = families[f].read()
                for i in families[f].labels.indices {
                    guard i < values.count, let value = values[i], value.isFinite else { continue }
                    families[f].samples[i] = record(value, into: families[f].samples[i], of: families[f], at: i)
                }
            }
        }
    }

    private func record(_ value: Double, into sample: Sample?, of family: Family, at index: Int) -> Sample? {
        let name = family.metric.name
        let dimensions = family.labels[index]
        switch family.metric.kind {
        case .histogram:
            return sample  // refused by add(_:labelValues:fractional:read:)
        case .gauge:
            let gauge: CoreMetrics.Gauge
            if case .gauge(let existing) = sample {
                gauge = existing
            } else {
                gauge = CoreMetrics.Gauge(label: name, dimensions: dimensions, factory: factory)
            }
            gauge.record(value)
            return .gauge(gauge)
        case .counter where family.fractional:
            guard value >= 0 else { return sample }
            switch sample {
            case .fractionalCounter(let counter, let last):
                if value >= last {
                    if value > last { counter.increment(by: value - last) }
                } else {
                    counter.reset()
                    counter.increment(by: value)
                }
                return .fractionalCounter(counter, last: value)
            default:
                let counter = FloatingPointCounter(label: name, dimensions: dimensions, factory: factory)
                if value > 0 { counter.increment(by: value) }
                return .fractionalCounter(counter, last: value)
            }
        case .counter:
            // Whole units below 2^63; anything else is not a count and is ignored.
            guard value >= 0, value < 9.2e18 else { return sample }
            let count = Int64(value)
            switch sample {
            case .counter(let counter, let last):
                if count >= last {
                    if count > last { counter.increment(by: count - last) }
                } else {
                    counter.reset()
                    counter.increment(by: count)
                }
                return .counter(counter, last: count)
            default:
                let counter = CoreMetrics.Counter(label: name, dimensions: dimensions, factory: factory)
                if count > 0 { counter.increment(by: count) }
                return .counter(counter, last: count)
            }
        }
    }
}
