import Foundation
import MediaIO
import Sinks
import TOMLKit
import TensorEngine
import Tracking

extension DaemonConfiguration {
    /// Reads and validates a TOML configuration file. Every error names the file, the key and what is expected.
    public static func load(path: String) throws(ConfigurationError) -> DaemonConfiguration {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigurationError(file: path, key: "", message: "no such file")
        }
        guard !isDirectory.boolValue else { throw ConfigurationError(file: path, key: "", message: "is a directory, not a configuration file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, key: "", message: "cannot read the file (permission denied?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, key: "", message: "not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses and validates configuration text; `file` names it in errors.
    public static func parse(_ text: String, file: String = "<config>") throws(ConfigurationError) -> DaemonConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(
                file: file, key: "",
                message: "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        } catch {
            throw ConfigurationError(file: file, key: "", message: "not valid TOML: \(error)")
        }
        do {
            return try read(TableReader(table, path: "", file: file))
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(file: file, key: "", message: "\(error)")
        }
    }

    /// Every key left out takes the default of the struct it fills (``WorkerConfiguration``, ``StreamConfiguration``,
    /// `TrackerConfiguration`, ``OutputConfiguration``, ``FileOutputConfiguration``, `PublisherConfiguration`,
    /// ``MetricsConfiguration``, `MetricsServerLimits`, ``DaemonConfiguration/defaultModelPath``,
    /// ``DaemonConfiguration/defaultLogLevel``): the reader writes no default of its own.
    private static func read(_ root: TableReader) throws -> DaemonConfiguration {
        var root = root
        var modelPath = DaemonConfiguration.defaultModelPath
        var modelPrecision = Precision.fp32
        if var model = try root.table("model") {
            modelPath = try model.requiredString("path")
            modelPrecision = try readPrecision(&model) ?? modelPrecision
            try model.rejectUnknownKeys()
        }
        var workers = WorkerConfiguration()
        if var w = try root.table("workers") {
            workers.count = try w.int("count", default: workers.count, range: 1...64)
            workers.threads = try w.int("threads", default: workers.threads, range: 1...64)
            workers.queueCapacity = try w.int("queue", default: workers.queueCapacity, range: 1...10_000)
            workers.winograd = try w.bool("winograd") ?? workers.winograd
            workers.maxBatch = try w.int("max_batch", default: workers.maxBatch, range: 1...WorkerConfiguration.maximumBatch)
            workers.liveBacklog = try w.double("live_backlog", default: workers.liveBacklog, range: 0.01...60)
            try w.rejectUnknownKeys()
        }
        let streamTables = try root.tableArray("streams")
        guard !streamTables.isEmpty else { throw root.error("streams", "at least one [[streams]] entry is required") }
        var streams: [StreamConfiguration] = []
        for var s in streamTables {
            let stream = try readStream(&s)
            if streams.contains(where: { $0.name == stream.name }) {
                throw s.error("name", "'\(stream.name)' is used by another stream; names must be unique")
            }
            streams.append(stream)
            try s.rejectUnknownKeys()
        }
        var tracker = TrackerConfiguration()
        if var t = try root.table("tracker") {
            tracker.maxAge = try t.int("max_age", default: tracker.maxAge, range: 0...100_000)
            tracker.minHits = try t.int("min_hits", default: tracker.minHits, range: 1...1000)
            tracker.iouThreshold = try t.double("iou_threshold", default: tracker.iouThreshold, range: 0...1)
            guard tracker.iouThreshold > 0 else { throw t.error("iou_threshold", "must be above 0 and at most 1, got 0.0") }
            try t.rejectUnknownKeys()
        }
        let output = try readOutput(&root)
        var metrics: MetricsConfiguration?
        if var m = try root.table("metrics") {
            if try m.bool("enabled") ?? true {
                let defaults = MetricsConfiguration()
                let address = try m.string("address") ?? "\(defaults.host):\(defaults.port)"
                guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port)
                else {
                    throw m.error("address", "expected HOST:PORT, got '\(address)'")
                }
                var limits = defaults.limits
                limits.maxConnections = try m.int("max_connections", default: limits.maxConnections, range: 1...10_000)
                limits.requestTimeout = try m.seconds("request_timeout", default: limits.requestTimeout, range: 0.01...3600)
                limits.maxRequestBytes = try m.int("max_request_bytes", default: limits.maxRequestBytes, range: 256...1_048_576)
                limits.descriptorReserve = try m.int("descriptor_reserve", default: limits.descriptorReserve, range: 0...1_000_000)
                metrics = MetricsConfiguration(host: String(address[..<colon]), port: port, limits: limits)
            } else {
                _ = try m.string("address")
            }
            try m.rejectUnknownKeys()
        }
        var logLevel = DaemonConfiguration.defaultLogLevel
        if var l = try root.table("logging") {
            logLevel = try l.string("level") ?? logLevel
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(logLevel) else { throw l.error("level", "expected one of \(levels.joined(separator: ", ")), got '\(logLevel)'") }
            try l.rejectUnknownKeys()
        }
        var stateDirectory: String?
        if var state = try root.table("state") {
            stateDirectory = try state.string("dir")
            if let dir = stateDirectory, dir.isEmpty { throw state.error("dir", "must not be empty") }
            try state.rejectUnknownKeys()
        }
        let http = try readHTTP(&root, metrics: metrics)
        try root.rejectUnknownKeys()
        var configuration = DaemonConfiguration(
            modelPath: modelPath, workers: workers, streams: streams, tracker: tracker, output: output, metrics: metrics,
            logLevel: logLevel, stateDirectory: stateDirectory, http: http)
        configuration.modelPrecision = modelPrecision
        try configuration.validateComponents(file: root.file)
        return configuration
    }

    private static func readStream(_ s: inout TableReader) throws -> StreamConfiguration {
        let name = try s.requiredString("name")
        guard isSafeName(name) else {
            throw s.error("name", "use letters, digits, '-', '_' or '.' only (it names files), got '\(name)'")
        }
        let url = try s.requiredString("url")
        var stream = StreamConfiguration(name: name, url: url, live: try s.bool("live") ?? VideoReader.isLiveInput(url))
        stream.model = try s.string("model")
        stream.precision = try readPrecision(&s)
        stream.everyNth = try s.int("every", default: stream.everyNth, range: 1...100_000)
        if let fps = try s.double("fps") {
            guard fps > 0 && fps <= 1000 else { throw s.error("fps", "must be a positive number of frames per second up to 1000, got \(fps)") }
            stream.maxFramesPerSecond = fps
        }
        stream.threshold = Float(try s.double("threshold", default: Double(stream.threshold), range: 0...1))
        if var thresholds = try s.table("thresholds") {
            for label in thresholds.table.keys.sorted() {
                stream.labelThresholds[label] = Float(try thresholds.double(label, default: Double(stream.threshold), range: 0...1))
            }
            try thresholds.rejectUnknownKeys()
        }
        stream.labels = try s.stringArray("labels")
        stream.decoderThreads = try s.int("decoder_threads", default: stream.decoderThreads, range: 0...64)
        stream.queueCapacity = try s.optionalInt("queue", range: 1...10_000)
        stream.reconnectInitial = try s.double("reconnect_initial", default: stream.reconnectInitial, range: 0.01...3600)
        stream.reconnectMax = try s.double("reconnect_max", default: stream.reconnectMax, range: 0.01...86400)
        guard stream.reconnectMax >= stream.reconnectInitial else {
            throw s.error("reconnect_max", "must be at least reconnect_initial (\(stream.reconnectInitial))")
        }
        stream.stallTimeout = try s.double("stall_timeout", default: stream.stallTimeout, range: 0.1...3600)
        if let resize = try s.string("resize") {
            guard let mode = ResizeMode(rawValue: resize) else { throw s.error("resize", "expected \"exact\" or \"fast\", got '\(resize)'") }
            stream.resize = mode
        }
        try readPlaces(&s, into: &stream)
        try readPlayback(&s, into: &stream)
        try readMotion(&s, into: &stream)
        return stream
    }

    /// `precision = "fp32" | "bf16" | "int8"`, nil when absent.
    private static func readPrecision(_ t: inout TableReader) throws -> Precision? {
        guard let text = try t.string("precision") else { return nil }
        guard let precision = Precision(rawValue: text) else {
            throw t.error("precision", "expected \"fp32\", \"bf16\" or \"int8\", got '\(text)'")
        }
        return precision
    }

    private static func readOutput(_ root: inout TableReader) throws -> OutputConfiguration {
        var output = OutputConfiguration()
        guard var o = try root.table("output") else { return output }
        output.emptyFrames = try o.bool("empty_frames") ?? output.emptyFrames
        if var f = try o.table("file") {
            var file = FileOutputConfiguration(path: try f.requiredString("path"))
            file.perStream = try f.bool("per_stream") ?? file.perStream
            file.rotateBytes = try f.int("rotate_bytes", default: file.rotateBytes, range: 0...Int.max)
            file.rotateSeconds = try f.double("rotate_seconds", default: file.rotateSeconds, range: 0...31_536_000)
            guard file.rotateSeconds == 0 || file.rotateSeconds >= 1 else {
                throw f.error("rotate_seconds", "must be 0 (never) or at least 1 second, got \(file.rotateSeconds)")
            }
            file.mode = try readMode(&f, default: file.mode)
            file.group = try f.string("group")
            output.file = file
            try f.rejectUnknownKeys()
        }
        if var k = try o.table("socket") {
            var publisher = PublisherConfiguration(path: try k.requiredString("path"))
            publisher.mode = try readMode(&k, default: publisher.mode)
            publisher.group = try k.string("group")
            publisher.maxSubscribers = try k.int("max_subscribers", default: publisher.maxSubscribers, range: 1...100_000)
            publisher.subscriptionTimeout = try k.seconds("subscription_timeout", default: publisher.subscriptionTimeout, range: 0.01...3600)
            publisher.descriptorReserve = try k.int("descriptor_reserve", default: publisher.descriptorReserve, range: 0...1_000_000)
            publisher.maxQueuedLines = try k.int("max_queued_lines", default: publisher.maxQueuedLines, range: 1...1_000_000)
            publisher.maxQueuedBytes = try k.int("max_queued_bytes", default: publisher.maxQueuedBytes, range: 1...(1 << 30))
            publisher.closeGracePeriod = try k.seconds("close_grace_period", default: publisher.closeGracePeriod, range: 0...3600)
            output.socket = SocketOutputConfiguration(publisher: publisher)
            try k.rejectUnknownKeys()
        }
        output.snapshots = try readSnapshots(&o)
        output.kafka = try readKafka(&o)
        output.mqtt = try readMQTT(&o)
        try o.rejectUnknownKeys()
        return output
    }

    /// Whether `name` (a stream's, a zone's or a line's) uses letters, digits, '-', '_' and '.' only: it names files,
    /// topics and metric labels.
    static func isSafeName(_ name: String) -> Bool {
        name.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
    }

    /// The `mode` key: permission bits as an octal string such as "0640".
    private static func readMode(_ table: inout TableReader, default fallback: UInt32) throws -> UInt32 {
        guard let mode = try table.string("mode") else { return fallback }
        guard let value = UInt32(mode, radix: 8), value <= 0o777 else {
            throw table.error("mode", "expected an octal file mode such as \"0\(String(fallback, radix: 8))\", got '\(mode)'")
        }
        return value
    }
}
