import Events
import Foundation
import Logging
import Sinks
import TestSupport
import Testing

@testable import Pipeline

/// The daemon's metrics scraped through the real NIO listener on loopback and read back with a strict parser of
/// the exposition format: types, histograms, escaping of hostile names, build information, and the summary.
@Suite struct MetricsExpositionTests {
    static let logger = Logger(label: "PipelineTests.exposition")

    /// `GET /metrics` from a listener serving `metrics`, parsed; the response must be `200` with the format's type.
    static func scrape(_ metrics: PipelineMetrics) async throws -> PrometheusExposition {
        let server = try await MetricsServer.start(host: "127.0.0.1", port: 0, logger: logger, render: { metrics.render() })
        let response: (text: String, cleanEnd: Bool)
        do {
            let port = try #require(server.port)
            response = try await MetricsServerTests.exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        #expect(RawSocketClient.statusLine(response.text) == "HTTP/1.1 200 OK")
        #expect(response.text.lowercased().contains("\r\ncontent-type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        let parts = response.text.components(separatedBy: "\r\n\r\n")
        #expect(parts.count >= 2)
        return try PrometheusExposition(parsing: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// Checks what holds for every scrape: each family has a `# TYPE` line, a name ends in `_total` exactly when it
    /// is a counter, and each histogram's buckets are cumulative, end at `+Inf` and equal `_count`.
    static func checkConventions(_ exposition: PrometheusExposition, sourceLocation: SourceLocation = #_sourceLocation) {
        for sample in exposition.samples {
            let family = exposition.family(of: sample.name)
            #expect(exposition.types[family] != nil, "\(sample.name) has no TYPE line", sourceLocation: sourceLocation)
        }
        for (name, type) in exposition.types {
            #expect(name.hasSuffix("_total") == (type == "counter"), "\(name) is a \(type)", sourceLocation: sourceLocation)
            if type == "counter" {
                for sample in exposition.samples(named: name) {
                    #expect(sample.value >= 0 && sample.value.isFinite, "\(name) = \(sample.value)", sourceLocation: sourceLocation)
                }
            }
            guard type == "histogram" else { continue }
            let buckets = exposition.samples(named: name + "_bucket")
            let series = Dictionary(grouping: buckets) { $0.labels.filter { $0.key != "le" } }
            #expect(!series.isEmpty, "\(name) has no buckets", sourceLocation: sourceLocation)
            for (labels, series) in series {
                let bounds = series.map { (bound: $0.labels["le"].flatMap { $0 == "+Inf" ? Double.infinity : Double($0) }, count: $0.value) }
                #expect(bounds.allSatisfy { $0.bound != nil }, "\(name): le not a number", sourceLocation: sourceLocation)
                let sorted = bounds.sorted { ($0.bound ?? 0) < ($1.bound ?? 0) }
                let counts = sorted.map(\.count)
                #expect(counts == counts.sorted(), "\(name)\(labels): buckets not cumulative: \(sorted)", sourceLocation: sourceLocation)
                #expect(sorted.last?.bound == .infinity, "\(name)\(labels): no +Inf bucket", sourceLocation: sourceLocation)
                #expect(
                    sorted.last?.count == exposition.value(name + "_count", labels), "\(name)\(labels): +Inf ≠ count", sourceLocation: sourceLocation)
                #expect(exposition.value(name + "_sum", labels) != nil, "\(name)\(labels): no sum", sourceLocation: sourceLocation)
            }
        }
    }

    /// The buckets of histogram `name` as (upper bound, cumulative count), ascending, `+Inf` last.
    static func buckets(_ exposition: PrometheusExposition, _ name: String) -> [(le: String, count: Double)] {
        exposition.samples(named: name + "_bucket")
            .map { (le: $0.labels["le"] ?? "?", count: $0.value) }
            .sorted { (Double($0.le) ?? .infinity) < (Double($1.le) ?? .infinity) }
    }

    @Test func countersAndHistogramsFollowTheConventionsAndCountExactly() async throws {
        let metrics = PipelineMetrics(streamNames: ["cam", "lobby"])
        for _ in 0..<3 { metrics.decoded(stream: 0) }
        metrics.decoded(stream: 1)
        metrics.dropped(stream: 0)
        metrics.reconnecting(stream: 1)
        metrics.reconnecting(stream: 1)
        metrics.setUp(stream: 1, true)
        // 2 ms is on a bucket's bound (inclusive); -1 s and NaN are not durations and are counted but not observed.
        for seconds in [0.001, 0.002, 0.015, 0.3, 7.0, -1, .nan] { metrics.inferred(stream: 0, seconds: seconds) }
        for seconds in [0.004, 0.04, 0.04] { metrics.written(stream: 1, endToEndSeconds: seconds) }

        let exposition = try await Self.scrape(metrics)
        Self.checkConventions(exposition)
        #expect(exposition.value("ssdd_frames_decoded_total", ["stream": "cam"]) == 3)
        #expect(exposition.value("ssdd_frames_decoded_total", ["stream": "lobby"]) == 1)
        #expect(exposition.value("ssdd_frames_dropped_total", ["stream": "cam"]) == 1)
        #expect(exposition.value("ssdd_frames_inferred_total", ["stream": "cam"]) == 7)
        #expect(exposition.value("ssdd_frames_written_total", ["stream": "lobby"]) == 3)
        #expect(exposition.value("ssdd_frames_written_total", ["stream": "cam"]) == 0)
        #expect(exposition.value("ssdd_reconnects_total", ["stream": "lobby"]) == 2)
        #expect(exposition.value("ssdd_stream_up", ["stream": "lobby"]) == 1)
        #expect(exposition.value("ssdd_stream_up", ["stream": "cam"]) == 0)
        #expect(exposition.types["ssdd_stream_up"] == "gauge")

        let bounds = ["0.002", "0.005", "0.01", "0.02", "0.03", "0.04", "0.05", "0.075", "0.1", "0.2", "0.5", "1.0", "2.5", "5.0", "+Inf"]
        let inference = Self.buckets(exposition, "ssdd_inference_seconds")
        #expect(inference.map(\.le) == bounds)
        #expect(inference.map(\.count) == [2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 5])
        #expect(exposition.value("ssdd_inference_seconds_count") == 5)
        #expect(abs((exposition.value("ssdd_inference_seconds_sum") ?? 0) - 7.318) < 1e-9)
        let endToEnd = Self.buckets(exposition, "ssdd_end_to_end_seconds")
        #expect(endToEnd.map(\.le) == bounds)
        #expect(endToEnd.map(\.count) == [0, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3])
        #expect(abs((exposition.value("ssdd_end_to_end_seconds_sum") ?? 0) - 0.084) < 1e-9)
        #expect(exposition.helps["ssdd_end_to_end_seconds"] == "Latency from decoded frame to its line handed to the outputs.")
        #expect(metrics.writtenCounts == [0, 3])
        #expect(metrics.droppedCounts == [1, 0])
    }

    @Test func hostileStreamNamesAreEscapedAndReadBackExactly() async throws {
        let names = ["cam \"one\"", "back\\slash\\", "new\nline", "ünï {x=\"1\"} 5\n# TYPE fake counter", "plain"]
        let metrics = PipelineMetrics(streamNames: names)
        for (i, _) in names.enumerated() {
            for _ in 0...i { metrics.decoded(stream: i) }
        }
        metrics.sample(.queueWaitingFrames, perStream: { [7, 6, 5, 4, 3] })
        let exposition = try await Self.scrape(metrics)
        Self.checkConventions(exposition)
        for (i, name) in names.enumerated() {
            #expect(exposition.value("ssdd_frames_decoded_total", ["stream": name]) == Double(i + 1), "\(name.debugDescription)")
            #expect(exposition.value("ssdd_queue_waiting_frames", ["stream": name]) == Double(7 - i), "\(name.debugDescription)")
        }
        #expect(Set(exposition.samples(named: "ssdd_frames_decoded_total").compactMap { $0.labels["stream"] }) == Set(names))
        #expect(exposition.types["fake"] == nil)
    }

    @Test func buildInfoCarriesTheVersionTheCommandLinePrints() async throws {
        let exposition = try await Self.scrape(PipelineMetrics(streamNames: ["a"]))
        let info = exposition.samples(named: "ssdd_build_info")
        #expect(info == [.init(name: "ssdd_build_info", labels: ["version": "0.1.0", "swift": BuildInfo.swiftVersion], value: 1)])
        #expect(exposition.types["ssdd_build_info"] == "gauge")
        #expect(BuildInfo.swiftVersion.split(separator: ".").count == 2 && BuildInfo.swiftVersion.allSatisfy { $0.isNumber || $0 == "." })
    }

    @Test func everyCatalogueMetricIsExportedWithItsTypeAndAFileOutputsPathIsEscaped() async throws {
        var template = Array("/tmp/pipeline-metrics-XXXXXX".utf8CString)
        let dir = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A path holding a quote, a backslash and a newline: legal on Linux, and it becomes a label value.
        let path = dir + "/de\"tections\\\n.jsonl"
        func toml(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
        }
        let configuration = try DaemonConfiguration.parse(
            """
            [[streams]]
            name = "cam"
            url = "\(dir)/clip.mp4"
            [output.file]
            path = "\(toml(path))"
            [output.socket]
            path = "\(dir)/s.sock"
            [output.mqtt]
            url = "mqtt://127.0.0.1:\(try MosquittoBroker.freePort())"
            close_timeout = 0
            """)
        // The MQTT output's broker is not running: its per-broker metrics are exported all the same.
        let outputs = try await Outputs.open(configuration: configuration, logger: Self.logger)
        let metrics = PipelineMetrics(streamNames: ["cam"])
        let snapshots = SnapshotWriter(
            configuration: SnapshotConfiguration(directory: dir), streamNames: ["cam"], logger: Self.logger)
        snapshots.sampleMetrics(into: metrics)
        metrics.sample(.queueWaitingFrames, perStream: { [2] })
        // With [http] the daemon registers its feed's client count (Daemon.makeAPI).
        metrics.sample(.httpFeedClients, labelValues: [[]]) { [1] }
        metrics.sample(.queuePendingFrames, perStream: { [3] })
        outputs.sampleMetrics(into: metrics)
        // A stream with a zone and a line registers the event metrics.
        var placed = StreamConfiguration(name: "cam", url: "\(dir)/clip.mp4", live: false)
        placed.zones = [ZoneDefinition(name: "yard", points: [.init(x: 0, y: 0), .init(x: 9, y: 0), .init(x: 9, y: 9)], labels: ["person"])]
        placed.lines = [LineDefinition(name: "door", from: .init(x: 0, y: 0), to: .init(x: 0, y: 9))]
        _ = ZoneEventMetrics(stream: placed, metrics: metrics)
        let exposition: PrometheusExposition
        do {
            exposition = try await Self.scrape(metrics)
        } catch {
            await outputs.close(within: 5, logger: Self.logger)
            throw error
        }
        await outputs.close(within: 5, logger: Self.logger)
        Self.checkConventions(exposition)

        let catalog = MetricDefinition.catalog
        let expected = catalog.mapValues { definition -> String in
            switch definition.kind {
            case .counter: "counter"
            case .gauge: "gauge"
            case .histogram: "histogram"
            }
        }
        #expect(exposition.types == expected)
        for (name, definition) in catalog {
            #expect(exposition.helps[name] == definition.help, "\(name)")
            let labelNames = exposition.samples.filter { exposition.family(of: $0.name) == name }.map { Set($0.labels.keys).subtracting(["le"]) }
            #expect(!labelNames.isEmpty && labelNames.allSatisfy { $0 == Set(definition.labelNames) }, "\(name): \(labelNames)")
        }
        #expect(exposition.value("ssdd_queue_waiting_frames", ["stream": "cam"]) == 2)
        #expect(exposition.value("ssdd_queue_pending_frames", ["stream": "cam"]) == 3)
        #expect(exposition.value("ssdd_file_lines_written_total", ["path": path]) == 0)
        #expect(exposition.value("ssdd_file_lines_pending", ["path": path]) == 0)
        #expect(exposition.value("ssdd_output_up", ["output": "file:" + path]) == 1)
        #expect(exposition.value("ssdd_output_lines_total", ["output": "socket:\(dir)/s.sock"]) == 0)
        #expect(exposition.value("ssdd_subscribers") == 0)
        #expect(exposition.value("ssdd_snapshots_dropped_total", ["stream": "cam"]) == 0)
        #expect(exposition.value("ssdd_subscribers_disconnected_slow_total") == 0)
    }

    @Test func theShutdownSummaryQuantilesComeFromTheRecentLatencies() {
        let metrics = PipelineMetrics(streamNames: ["a", "b"])
        #expect(metrics.endToEndQuantiles == nil)
        for i in 1...100 { metrics.written(stream: i % 2, endToEndSeconds: Double(i) / 1000) }
        #expect(metrics.endToEndQuantiles?.p50 == 0.051)
        #expect(metrics.endToEndQuantiles?.p99 == 0.1)
        #expect(metrics.writtenCounts == [50, 50])
        // The window keeps the latest 10 000: after as many 2-second latencies the first 100 are gone.
        for _ in 0..<PipelineMetrics.recentCapacity { metrics.written(stream: 0, endToEndSeconds: 2) }
        #expect(metrics.endToEndQuantiles?.p50 == 2)
        #expect(metrics.endToEndQuantiles?.p99 == 2)
        metrics.written(stream: 1, endToEndSeconds: 0.5)
        #expect(metrics.endToEndQuantiles?.p50 == 2)
        #expect(metrics.writtenCounts == [10_050, 51])
    }

    @Test func eachMetricsObjectHasItsOwnRegistry() {
        let first = PipelineMetrics(streamNames: ["a"])
        let second = PipelineMetrics(streamNames: ["a"])
        first.decoded(stream: 0)
        #expect(first.render().contains("ssdd_frames_decoded_total{stream=\"a\"} 1\n"))
        #expect(second.render().contains("ssdd_frames_decoded_total{stream=\"a\"} 0\n"))
    }
}
