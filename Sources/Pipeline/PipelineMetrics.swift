import Foundation
import Synchronization

/// Counters, gauges and latency histograms of the pipeline, rendered in the Prometheus text format.
///
/// Updated from source, worker and delivery threads; all state sits behind one mutex (a few increments per frame).
public final class PipelineMetrics: Sendable {
    struct StreamCounters {
        var decoded = 0
        var inferred = 0
        var dropped = 0
        var written = 0
        var reconnects = 0
        var up = false
    }

    struct State {
        var streams: [StreamCounters]
        var inference = Histogram()
        var endToEnd = Histogram()
        /// Recent end-to-end latencies (seconds) for exact quantiles in the shutdown summary.
        var recent: [Double] = []
        var recentNext = 0
    }

    /// Cumulative histogram with fixed buckets in seconds.
    struct Histogram {
        static let bounds: [Double] = [0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5, 1, 2.5, 5]
        var counts = [Int](repeating: 0, count: bounds.count)
        var count = 0
        var sum = 0.0

        mutating func observe(_ seconds: Double) {
            for (i, bound) in Self.bounds.enumerated() where seconds <= bound { counts[i] += 1 }
            count += 1
            sum += seconds
        }
    }

    public let streamNames: [String]
    private let state: Mutex<State>
    /// Extra gauges sampled when rendering (queue depths, subscribers, sink health), set by the daemon.
    private let gauges = Mutex<[@Sendable () -> [(name: String, help: String, samples: [(labels: String, value: Double)])]]>([])

    public init(streamNames: [String]) {
        self.streamNames = streamNames
        state = Mutex(State(streams: Array(repeating: StreamCounters(), count: streamNames.count)))
    }

    func decoded(stream: Int) { state.withLock { $0.streams[stream].decoded += 1 } }
    func dropped(stream: Int) { state.withLock { $0.streams[stream].dropped += 1 } }
    func reconnecting(stream: Int) { state.withLock { $0.streams[stream].reconnects += 1 } }
    func setUp(stream: Int, _ up: Bool) { state.withLock { $0.streams[stream].up = up } }

    func inferred(stream: Int, seconds: Double) {
        state.withLock {
            $0.streams[stream].inferred += 1
            $0.inference.observe(seconds)
        }
    }

    func written(stream: Int, endToEndSeconds: Double) {
        state.withLock {
            $0.streams[stream].written += 1
            $0.endToEnd.observe(endToEndSeconds)
            if $0.recent.count < 10_000 {
                $0.recent.append(endToEndSeconds)
            } else {
                $0.recent[$0.recentNext] = endToEndSeconds
                $0.recentNext = ($0.recentNext + 1) % 10_000
            }
        }
    }

    /// Adds gauges computed at render time.
    func addGauges(_ source: @escaping @Sendable () -> [(name: String, help: String, samples: [(labels: String, value: Double)])]) {
        gauges.withLock { $0.append(source) }
    }

    /// Frames written per stream so far.
    public var writtenCounts: [Int] { state.withLock { $0.streams.map(\.written) } }
    /// Frames dropped per stream so far.
    public var droppedCounts: [Int] { state.withLock { $0.streams.map(\.dropped) } }

    /// (p50, p99) of recent decode → line-written latencies in seconds, if any frame was written.
    public var endToEndQuantiles: (p50: Double, p99: Double)? {
        let values = state.withLock { $0.recent }.sorted()
        guard !values.isEmpty else { return nil }
        return (values[values.count / 2], values[min(values.count - 1, Int(Double(values.count) * 0.99))])
    }

    /// The Prometheus text exposition (version 0.0.4).
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        func counter(_ name: String, _ help: String, type: String = "counter", _ value: (StreamCounters) -> Double) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (i, stream) in snapshot.streams.enumerated() {
                out += "\(name){stream=\"\(escape(streamNames[i]))\"} \(format(value(stream)))\n"
            }
        }
        counter("ssdd_frames_decoded_total", "Frames accepted from the source.") { Double($0.decoded) }
        counter("ssdd_frames_inferred_total", "Frames run through the detector.") { Double($0.inferred) }
        counter("ssdd_frames_dropped_total", "Frames dropped because inference fell behind (live sources only).") { Double($0.dropped) }
        counter("ssdd_frames_written_total", "Frame records delivered to the outputs.") { Double($0.written) }
        counter("ssdd_reconnects_total", "Reconnect attempts.") { Double($0.reconnects) }
        counter("ssdd_stream_up", "1 while the source is connected.", type: "gauge") { $0.up ? 1 : 0 }
        histogram(&out, "ssdd_inference_seconds", "Detector time per frame (preprocess, network, post-processing).", snapshot.inference)
        histogram(&out, "ssdd_end_to_end_seconds", "Latency from decoded frame to its line handed to the outputs.", snapshot.endToEnd)
        for source in gauges.withLock({ $0 }) {
            for gauge in source() {
                let type = gauge.name.hasSuffix("_total") ? "counter" : "gauge"
                out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) \(type)\n"
                for sample in gauge.samples { out += "\(gauge.name)\(sample.labels) \(format(sample.value))\n" }
            }
        }
        return out
    }

    private func histogram(_ out: inout String, _ name: String, _ help: String, _ h: Histogram) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (i, bound) in Histogram.bounds.enumerated() { out += "\(name)_bucket{le=\"\(format(bound))\"} \(h.counts[i])\n" }
        out += "\(name)_bucket{le=\"+Inf\"} \(h.count)\n\(name)_sum \(format(h.sum))\n\(name)_count \(h.count)\n"
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    func escape(_ s: String) -> String { Self.escapeLabel(s) }

    /// A label value escaped for the Prometheus text format (backslash, quote, newline).
    static func escapeLabel(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
