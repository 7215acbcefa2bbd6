import CoreMetrics
import Prometheus
import Sinks
import Synchronization

/// The daemon's metrics: recorded through swift-metrics (`Counter`, `Gauge`, `Timer`) into a Prometheus collector
/// registry of its own (no process-wide bootstrap), and rendered in the Prometheus text format by ``render()``.
///
/// Updated from source, worker and delivery threads: the handles are atomic or locked by swift-prometheus; the
/// counts the daemon reads back (written and dropped frames, recent latencies) sit behind one mutex. Values kept
/// elsewhere (queue depths, outputs, `/proc`) are registered with ``sample(_:perStream:)`` and
/// ``sample(_:labelValues:fractional:_:)`` and read when a scrape renders.
public final class PipelineMetrics: Sendable {
    /// The handles of one stream's metrics, labelled with its name.
    private struct StreamHandles: Sendable {
        let decoded: CoreMetrics.Counter
        let inferred: CoreMetrics.Counter
        let dropped: CoreMetrics.Counter
        let written: CoreMetrics.Counter
        let reconnects: CoreMetrics.Counter
        let up: CoreMetrics.Gauge
        let gated: CoreMetrics.Counter
    }

    /// What the daemon reads back for its status line and shutdown summary.
    private struct Tallies {
        var written: [Int]
        var dropped: [Int]
        /// Per stream, the counts and rates the HTTP API reports (``StreamActivityTally``).
        var activity: [StreamActivityTally]
        /// Recent end-to-end latencies (seconds) for exact quantiles in the shutdown summary: a ring of
        /// ``recentCapacity`` values, `recentNext` the slot to overwrite once it is full.
        var recent: [Double] = []
        var recentNext = 0
    }

    /// How many recent end-to-end latencies ``endToEndQuantiles`` is computed from.
    static let recentCapacity = 10_000

    /// The registry every metric is recorded in.
    let registry: PrometheusCollectorRegistry
    private let sampler: MetricSampler
    private let factory: PrometheusCatalogFactory
    /// Per stream slot (see ``FrameScheduler``), its handles; a reload appends slots. Slots of the same name share
    /// their handles, so a restarted stream keeps its series.
    private let slots: Mutex<[StreamHandles]>
    /// The stream names in the order they first appeared (the `stream` label), and each slot's name.
    private let names: Mutex<(distinct: [String], bySlot: [String])>
    private let inference: CoreMetrics.Timer
    private let endToEnd: CoreMetrics.Timer
    private let tallies: Mutex<Tallies>
    /// Configuration reloads (``ReloadController``).
    let reloads: ReloadMetrics

    /// Metrics for streams named `streamNames`, in a new registry, with the build and process metrics registered.
    public init(streamNames: [String]) {
        let factory = PrometheusCatalogFactory()
        self.factory = factory
        registry = factory.registry
        sampler = MetricSampler(factory: factory)
        var handles: [String: StreamHandles] = [:]
        for name in streamNames where handles[name] == nil { handles[name] = Self.handles(name: name, factory: factory) }
        slots = Mutex(streamNames.map { handles[$0]! })
        var distinct: [String] = []
        for name in streamNames where !distinct.contains(name) { distinct.append(name) }
        names = Mutex((distinct, streamNames))
        inference = CoreMetrics.Timer(label: MetricDefinition.inferenceSeconds.name, factory: factory)
        endToEnd = CoreMetrics.Timer(label: MetricDefinition.endToEndSeconds.name, factory: factory)
        let zeros = Array(repeating: 0, count: streamNames.count)
        tallies = Mutex(Tallies(written: zeros, dropped: zeros, activity: Array(repeating: StreamActivityTally(), count: streamNames.count)))
        CoreMetrics.Gauge(
            label: MetricDefinition.buildInfo.name, dimensions: [("version", BuildInfo.version), ("swift", BuildInfo.swiftVersion)],
            factory: factory
        ).record(1)
        reloads = ReloadMetrics(factory: factory)
        registerProcessMetrics()
    }

    /// The stream names, each once, in the order they first appeared (the `stream` label).
    public var streamNames: [String] { names.withLock { $0.distinct } }

    /// Each slot's stream name, by slot.
    var slotNames: [String] { names.withLock { $0.bySlot } }

    /// Adds a stream slot named `name` (a reload added or restarted a stream) and returns its index. A name seen
    /// before keeps its series.
    @discardableResult
    func addSlot(name: String) -> Int {
        let existing = names.withLock { $0.bySlot.firstIndex(of: name) }
        let handles = existing.map { i in slots.withLock { $0[i] } } ?? Self.handles(name: name, factory: factory)
        return names.withLock { names in
            slots.withLock { $0.append(handles) }
            tallies.withLock {
                $0.written.append(0)
                $0.dropped.append(0)
                $0.activity.append(StreamActivityTally())
            }
            names.bySlot.append(name)
            if !names.distinct.contains(name) { names.distinct.append(name) }
            return names.bySlot.count - 1
        }
    }

    private static func handles(name: String, factory: PrometheusCatalogFactory) -> StreamHandles {
        func counter(_ metric: MetricDefinition) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: metric.name, dimensions: [("stream", name)], factory: factory)
        }
        return StreamHandles(
            decoded: counter(.framesDecoded), inferred: counter(.framesInferred), dropped: counter(.framesDropped),
            written: counter(.framesWritten), reconnects: counter(.reconnects),
            up: CoreMetrics.Gauge(label: MetricDefinition.streamUp.name, dimensions: [("stream", name)], factory: factory),
            gated: counter(.framesGated))
    }

    private func handles(_ stream: Int) -> StreamHandles { slots.withLock { $0[stream] } }

    /// Counts a frame accepted from stream `stream`'s source.
    func decoded(stream: Int) {
        handles(stream).decoded.increment()
        let now = StreamActivityTally.monotonicNow
        tallies.withLock { $0.activity[stream].countDecoded(at: now) }
    }
    /// Counts a reconnect attempt of stream `stream`.
    func reconnecting(stream: Int) { handles(stream).reconnects.increment() }
    /// Sets whether stream `stream`'s source is connected.
    func setUp(stream: Int, _ up: Bool) { handles(stream).up.record(up ? 1 : 0) }

    /// Counts a frame of stream `stream` dropped because inference fell behind.
    func dropped(stream: Int) {
        handles(stream).dropped.increment()
        tallies.withLock { $0.dropped[stream] += 1 }
    }

    /// Counts a frame of stream `stream` through the detector, which took `seconds` (observed when a valid duration).
    func inferred(stream: Int, seconds: Double) {
        handles(stream).inferred.increment()
        tallies.withLock { $0.activity[stream].countInferred() }
        if let nanoseconds = Self.nanoseconds(seconds) { inference.recordNanoseconds(nanoseconds) }
    }

    /// Counts a frame of stream `stream` the motion gate held back from the detector (it reused the last detections).
    func gated(stream: Int) {
        handles(stream).gated.increment()
        tallies.withLock { $0.activity[stream].countGated() }
    }

    /// Counts a frame record of stream `stream` handed to the outputs `endToEndSeconds` after its frame was decoded.
    func written(stream: Int, endToEndSeconds: Double) {
        handles(stream).written.increment()
        if let nanoseconds = Self.nanoseconds(endToEndSeconds) { endToEnd.recordNanoseconds(nanoseconds) }
        let (now, wall) = (StreamActivityTally.monotonicNow, StreamActivityTally.wallNow)
        tallies.withLock {
            $0.written[stream] += 1
            $0.activity[stream].countWritten(at: now, wall: wall)
            if $0.recent.count < Self.recentCapacity {
                $0.recent.append(endToEndSeconds)
            } else {
                $0.recent[$0.recentNext] = endToEndSeconds
                $0.recentNext = ($0.recentNext + 1) % Self.recentCapacity
            }
        }
    }

    /// Registers a gauge labelled `stream`, read at every scrape: `read` returns one value per stream slot, in slot
    /// order (e.g. queue depths); a name's sample is its newest slot's value, and streams added by a reload appear.
    /// - Important: `read` runs under the sampler's lock while a scrape renders: it must be quick and must not
    ///   call back into these metrics.
    func sample(_ metric: MetricDefinition, perStream read: @escaping @Sendable () -> [Int]) {
        sampler.add(metric, labelValues: streamNames.map { [$0] }, labels: { [self] in streamNames.map { [$0] } }) { [self] in
            let values = read()
            let (distinct, bySlot) = names.withLock { ($0.distinct, $0.bySlot) }
            var byName: [String: Double] = [:]
            for (slot, value) in values.enumerated() where slot < bySlot.count { byName[bySlot[slot]] = Double(value) }
            return distinct.map { byName[$0] }
        }
    }

    /// Registers `metric` with one sample per entry of `labelValues` (in the order of `metric.labelNames`), read at
    /// every scrape: `read` returns the values in the same order, `nil` for one not available now. A counter's
    /// value is its running total; `fractional` counters keep fractions. `labels`, when given, is read first at
    /// every scrape and may append label sets (streams a reload added).
    func sample(
        _ metric: MetricDefinition, labelValues: [[String]], fractional: Bool = false,
        labels: (@Sendable () -> [[String]])? = nil, _ read: @escaping @Sendable () -> [Double?]
    ) {
        sampler.add(metric, labelValues: labelValues, fractional: fractional, labels: labels, read: read)
    }

    /// Frames written per stream so far.
    public var writtenCounts: [Int] { tallies.withLock { $0.written } }
    /// Frames dropped per stream so far.
    public var droppedCounts: [Int] { tallies.withLock { $0.dropped } }

    /// Stream `stream`'s counts and rates now (for the HTTP API); nil for an index out of range.
    func activity(stream: Int) -> StreamActivity? {
        let now = StreamActivityTally.monotonicNow
        return tallies.withLock { t in
            guard t.activity.indices.contains(stream) else { return nil }
            return t.activity[stream].activity(at: now, dropped: t.dropped[stream])
        }
    }

    /// (p50, p99) of recent decode → line-written latencies in seconds, if any frame was written.
    public var endToEndQuantiles: (p50: Double, p99: Double)? {
        let values = tallies.withLock { $0.recent }.sorted()
        guard !values.isEmpty else { return nil }
        return (values[values.count / 2], values[min(values.count - 1, Int(Double(values.count) * 0.99))])
    }

    /// The Prometheus text exposition (version 0.0.4) of every metric, sampled values read now. The order of the
    /// metric families is not fixed.
    public func render() -> String {
        sampler.update()
        return registry.emitToString()
    }

    /// Nanoseconds in `seconds`, or `nil` for a value that is not a duration (negative, not finite, or beyond Int64).
    static func nanoseconds(_ seconds: Double) -> Int64? {
        guard seconds.isFinite, seconds >= 0, seconds < 9.2e9 else { return nil }
        return Int64((seconds * 1e9).rounded())
    }

    /// The standard `process_*` metrics, read from `/proc` at every scrape (absent where it cannot be read).
    private func registerProcessMetrics() {
        let bootTime = ProcessStatistics.bootTime()
        let none: [[String]] = [[]]
        sample(.residentMemory, labelValues: none) { [ProcessStatistics.current(bootTime: nil).residentMemoryBytes.map(Double.init)] }
        sample(.virtualMemory, labelValues: none) { [ProcessStatistics.current(bootTime: nil).virtualMemoryBytes.map(Double.init)] }
        sample(.cpuSeconds, labelValues: none, fractional: true) { [ProcessStatistics.current(bootTime: nil).cpuSeconds] }
        sample(.openDescriptors, labelValues: none) { [OpenDescriptors.count().map(Double.init)] }
        sample(.maxDescriptors, labelValues: none) { [OpenDescriptors.softLimit().map(Double.init)] }
        let startTime = ProcessStatistics.current(bootTime: bootTime).startTimeSeconds
        sample(.startTime, labelValues: none) { [startTime] }
    }
}
