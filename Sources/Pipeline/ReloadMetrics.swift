import CoreMetrics
import Foundation

/// The handles of the reload metrics, created (at zero, and the load time of the start-up configuration) with the
/// other metrics so they are exposed before any reload.
struct ReloadMetrics: Sendable {
    private let successes: CoreMetrics.Counter
    private let failures: CoreMetrics.Counter
    private let lastSuccessful: CoreMetrics.Gauge
    private let lastSuccessTime: CoreMetrics.Gauge

    init(factory: any MetricsFactory) {
        let name = MetricDefinition.configReloads.name
        successes = CoreMetrics.Counter(label: name, dimensions: [("result", "success")], factory: factory)
        failures = CoreMetrics.Counter(label: name, dimensions: [("result", "failure")], factory: factory)
        lastSuccessful = CoreMetrics.Gauge(label: MetricDefinition.configLastReloadSuccessful.name, factory: factory)
        lastSuccessTime = CoreMetrics.Gauge(label: MetricDefinition.configLastReloadSuccessTimestamp.name, factory: factory)
        lastSuccessful.record(1)
        lastSuccessTime.record(Date().timeIntervalSince1970)
    }

    /// Records a reload's outcome.
    func record(success: Bool) {
        if success {
            successes.increment()
            lastSuccessful.record(1)
            lastSuccessTime.record(Date().timeIntervalSince1970)
        } else {
            failures.increment()
            lastSuccessful.record(0)
        }
    }
}
