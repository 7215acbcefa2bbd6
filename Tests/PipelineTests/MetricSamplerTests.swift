import Synchronization
import Testing

@testable import Pipeline

/// Values kept elsewhere, recorded through swift-metrics at scrape time.
@Suite struct MetricSamplerTests {
    /// A value the test changes between scrapes.
    final class Source: Sendable {
        let values = Mutex<[Double?]>([])
        func set(_ new: [Double?]) { values.withLock { $0 = new } }
        var read: @Sendable () -> [Double?] { { self.values.withLock { $0 } } }
    }

    /// Samples `metric` from a new source and returns a function that sets the source and renders what the
    /// registry then holds for the metric (one value per label set, nil when the sample is absent).
    static func sampler(
        _ metric: MetricDefinition, labelValues: [[String]], fractional: Bool = false
    ) -> @Sendable ([Double?]) throws -> [Double?] {
        let factory = PrometheusCatalogFactory()
        let sampler = MetricSampler(factory: factory)
        let source = Source()
        sampler.add(metric, labelValues: labelValues, fractional: fractional, read: source.read)
        return { values in
            source.set(values)
            sampler.update()
            let exposition = try PrometheusExposition(parsing: factory.registry.emitToString())
            return labelValues.map { exposition.value(metric.name, Dictionary(uniqueKeysWithValues: zip(metric.labelNames, $0))) }
        }
    }

    @Test func aCounterFollowsItsSourceAndResetsWhenTheSourceGoesBack() throws {
        let scrape = Self.sampler(.outputLines, labelValues: [["file:a"], ["socket:b"]])
        #expect(try scrape([nil, nil]) == [nil, nil])
        #expect(try scrape([5, nil]) == [5, nil])
        #expect(try scrape([8, 0]) == [8, 0])
        #expect(try scrape([8, 2]) == [8, 2])
        // Not counts: ignored, the samples keep their values.
        #expect(try scrape([-1, .nan]) == [8, 2])
        #expect(try scrape([.infinity, 1e19]) == [8, 2])
        // The source was restarted: the counter starts over from the new value.
        #expect(try scrape([3, 2]) == [3, 2])
        #expect(try scrape([10, 2]) == [10, 2])
        #expect(try scrape([10]) == [10, 2])
    }

    @Test func aFractionalCounterKeepsFractions() throws {
        let scrape = Self.sampler(.cpuSeconds, labelValues: [[]], fractional: true)
        #expect(try scrape([0.25]) == [0.25])
        #expect(try scrape([1.75]) == [1.75])
        #expect(try scrape([1.5]) == [1.5])
    }

    @Test func aGaugeIsSetToEachValueRead() throws {
        let scrape = Self.sampler(.outputQueuedLines, labelValues: [["x"]])
        #expect(try scrape([nil]) == [nil])
        #expect(try scrape([12]) == [12])
        #expect(try scrape([3]) == [3])
        #expect(try scrape([nil]) == [3])
        #expect(try scrape([-2.5]) == [-2.5])
    }
}
