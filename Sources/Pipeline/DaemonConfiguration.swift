import Events
import Kafka
import MQTT
import Sinks
import TensorEngine
import Tracking
import WebAPI

/// The daemon's whole configuration, read from a TOML file (see `Config/ssdd.toml` for the documented example).
public struct DaemonConfiguration: Sendable, Equatable {
    /// Default model for streams that name none (`[model] path`).
    public var modelPath: String
    /// Inference workers and their threads (`[workers]`).
    public var workers: WorkerConfiguration
    /// Cameras and files to watch (`[[streams]]`), at least one.
    public var streams: [StreamConfiguration]
    /// Tracker settings shared by every stream (`[tracker]`).
    public var tracker: TrackerConfiguration
    /// Outputs (`[output]`, `[output.file]`, `[output.socket]`).
    public var output: OutputConfiguration
    /// Prometheus metrics endpoint (`[metrics]`); nil when absent or disabled.
    public var metrics: MetricsConfiguration?
    /// Log level (`[logging] level`): trace, debug, info, notice, warning, error, critical.
    public var logLevel: String
    /// Where per-stream resume points are kept (`[state] dir`); nil uses `$STATE_DIRECTORY` (systemd's
    /// `StateDirectory=`), and without either, streams start from the beginning after a restart.
    public var stateDirectory: String?
    /// The HTTP API, live page and WebSocket feed (`[http]`); nil when absent or disabled.
    public var http: HTTPConfiguration?
    /// Arithmetic of the default model's network for streams that set none (`[model] precision`, default fp32).
    public var modelPrecision: Precision = .fp32

    /// The model of streams that name none when the file has no `[model] path`.
    public static let defaultModelPath = "models/person.safetensors"
    /// The log level when `[logging] level` is absent.
    public static let defaultLogLevel = "info"

    public init(
        modelPath: String, workers: WorkerConfiguration, streams: [StreamConfiguration], tracker: TrackerConfiguration,
        output: OutputConfiguration, metrics: MetricsConfiguration?, logLevel: String, stateDirectory: String? = nil,
        http: HTTPConfiguration? = nil
    ) {
        self.stateDirectory = stateDirectory
        self.http = http
        self.modelPath = modelPath
        self.workers = workers
        self.streams = streams
        self.tracker = tracker
        self.output = output
        self.metrics = metrics
        self.logLevel = logLevel
    }
}

/// `[workers]`: the shared pool of inference threads.
public struct WorkerConfiguration: Sendable, Equatable {
    /// Inference workers (`count`, default 2). Each has its own activation buffers and threads; the compiled weights
    /// are shared.
    public var count: Int
    /// Threads each worker's network uses for the engine's kernels (`threads`, default 1). OpenBLAS always runs one
    /// thread (its count is process-global; `Network.forward` sets it), so workers never oversubscribe the cores.
    public var threads: Int
    /// Frames a stream may have accepted but not yet written (`queue`, default 8): waiting, in inference or in delivery.
    public var queueCapacity: Int
    /// Run 3×3 convolutions by Winograd F(4×4, 3×3) where faster (`winograd`, default true): SSD300 about 2× faster,
    /// its 3×3 weights held 4× larger; false runs them as direct convolutions (sums equal to a reference but for order).
    public var winograd: Bool
    /// Most frames a worker runs in one forward pass (`max_batch`, default 1, at most ``maximumBatch``): with more, a
    /// worker takes up to this many frames already waiting, of streams using the same model, and infers them together.
    /// It never waits for a batch to fill. Each worker's activation buffers are allocated for this many frames.
    public var maxBatch: Int = 1
    /// A live stream's frames that have waited longer than this for a worker when a newer frame arrives are dropped
    /// (`live_backlog`, seconds, default 0.2): after a start-up or network burst the stream goes straight to its newest
    /// frame instead of working through a stale backlog, so latency stays bounded.
    public var liveBacklog: Double = 0.2

    /// Largest `max_batch` accepted.
    public static let maximumBatch = 16

    public init(count: Int = 2, threads: Int = 1, queueCapacity: Int = 8, winograd: Bool = true) {
        self.count = count
        self.threads = threads
        self.queueCapacity = queueCapacity
        self.winograd = winograd
    }
}

/// `[[streams]]`: one video source.
public struct StreamConfiguration: Sendable, Equatable {
    /// Unique name used in records (`name`).
    public var name: String
    /// File path, URL (`rtsp://`, `http://`, `udp://`, …) or `/dev/video*` device (`url`).
    public var url: String
    /// Model file for this stream (`model`); nil uses `[model] path`.
    public var model: String?
    /// Live sources reconnect and drop the oldest waiting frame when inference falls behind; files never drop and
    /// end when read (`live`; default: ``MediaIO/VideoReader/isLiveInput(_:)`` — network URLs, HTTP(S) unless the path
    /// names a video file, and devices).
    public var live: Bool
    /// Process every Nth frame (`every`, default 1).
    public var everyNth: Int
    /// At most this many frames per second of stream time (`fps`).
    public var maxFramesPerSecond: Double?
    /// Arithmetic of this stream's network (`precision` = "fp32" | "bf16" | "int8"); nil uses `[model] precision`.
    /// Streams of one model with different precisions get a detector each.
    public var precision: Precision?
    /// Minimum score reported (`threshold`, default 0.5).
    public var threshold: Float
    /// Per-label minimum scores overriding `threshold` (`thresholds = { person = 0.6 }`).
    public var labelThresholds: [String: Float]
    /// Only these labels are reported (`labels`); nil reports all.
    public var labels: [String]?
    /// Decoder threads (`decoder_threads`, default 1; 0 = FFmpeg's choice).
    public var decoderThreads: Int
    /// Reconnect delays: first (`reconnect_initial`, 1 s), doubling to at most `reconnect_max` (30 s).
    public var reconnectInitial: Double
    public var reconnectMax: Double
    /// No frame for this many seconds ⇒ the source is considered lost and reconnects (`stall_timeout`, 10 s).
    public var stallTimeout: Double
    /// How frames are resized to the network input (`resize`): `exact` (the model's reference kernel, bit-compatible
    /// with TF/torchvision) or `fast` (swscale bilinear straight from the decoder's YUV; about 4× cheaper per frame,
    /// inputs differ by a few grey levels).
    public var resize: ResizeMode
    /// Frames this stream may have accepted and not yet written (`queue`); nil uses `[workers] queue`. A live camera
    /// wants 2–3 (a late frame is dropped rather than delayed); a file wants more (smoother sharing of the workers).
    public var queueCapacity: Int?
    /// Zones of the picture (`[[streams.zones]]`): enter, exit and loiter events (see `DaemonConfiguration+Zones.swift`).
    public var zones: [ZoneDefinition] = []
    /// Directed crossing lines (`[[streams.lines]]`): cross events.
    public var lines: [LineDefinition] = []
    /// Hand a file's frames on when their timestamps are due on the wall clock, like `ffmpeg -re` (`realtime`,
    /// default false; files only).
    public var realtime = false
    /// Start a file again at its end, frame numbers and timestamps continuing, without `stream` records for the wrap
    /// (`loop`, default false; files only). A pass that yields no frame ends the stream.
    public var loop = false
    /// Motion gating (`motion = true` and the `motion_*` keys, see `DaemonConfiguration+Motion.swift`): frames without
    /// motion skip the detector and reuse the last detections; nil (the default, `motion = false`) infers every frame.
    public var motion: MotionSettings? = nil

    public init(
        name: String, url: String, model: String? = nil, live: Bool, everyNth: Int = 1, maxFramesPerSecond: Double? = nil,
        threshold: Float = 0.5, labelThresholds: [String: Float] = [:], labels: [String]? = nil, decoderThreads: Int = 1,
        reconnectInitial: Double = 1, reconnectMax: Double = 30, stallTimeout: Double = 10, resize: ResizeMode = .exact,
        queueCapacity: Int? = nil
    ) {
        self.name = name
        self.url = url
        self.model = model
        self.live = live
        self.everyNth = everyNth
        self.maxFramesPerSecond = maxFramesPerSecond
        self.threshold = threshold
        self.labelThresholds = labelThresholds
        self.labels = labels
        self.decoderThreads = decoderThreads
        self.reconnectInitial = reconnectInitial
        self.reconnectMax = reconnectMax
        self.stallTimeout = stallTimeout
        self.resize = resize
        self.queueCapacity = queueCapacity
    }

    /// The score a detection of `label` needs to be reported.
    public func minimumScore(for label: String) -> Float { labelThresholds[label] ?? threshold }

    /// The lowest threshold of any label: what the detector itself filters at.
    public var lowestThreshold: Float { ([threshold] + labelThresholds.values).min() ?? threshold }
}

/// Resize path from decoded frame to network input.
public enum ResizeMode: String, Sendable, Equatable {
    case exact
    case fast
}

/// `[output]`.
public struct OutputConfiguration: Sendable, Equatable {
    /// Write `frame` records for frames without detections too (`empty_frames`, default true).
    public var emptyFrames: Bool
    public var file: FileOutputConfiguration?
    public var socket: SocketOutputConfiguration?
    /// JPEG snapshots (`[output.snapshots]`); nil when absent.
    public var snapshots: SnapshotConfiguration?
    /// `[output.kafka]`: records to a Kafka topic.
    public var kafka: KafkaOutputConfiguration?
    /// `[output.mqtt]`: records (and Frigate-style events, Home Assistant discovery) to an MQTT broker.
    public var mqtt: MQTTOutputConfiguration?

    public init(emptyFrames: Bool = true, file: FileOutputConfiguration? = nil, socket: SocketOutputConfiguration? = nil) {
        self.emptyFrames = emptyFrames
        self.file = file
        self.socket = socket
    }
}

/// `[output.file]`: JSON Lines files.
public struct FileOutputConfiguration: Sendable, Equatable {
    /// Shared file (`path`), or directory for one `<stream>.jsonl` per stream when `per_stream` is true.
    public var path: String
    public var perStream: Bool
    /// Rotate when a file reaches this many bytes (`rotate_bytes`; 0 = never).
    public var rotateBytes: Int
    /// Rotate when a file is this many seconds old (`rotate_seconds`; 0 = never, otherwise at least 1).
    public var rotateSeconds: Double
    /// Permission bits of files the daemon creates (`mode`, octal string, default "0640": owner writes, group reads).
    public var mode: UInt32
    /// Group owning files the daemon creates (`group`, a name or numeric gid), if set.
    public var group: String?

    public init(
        path: String, perStream: Bool = false, rotateBytes: Int = 0, rotateSeconds: Double = 0, mode: UInt32 = 0o640,
        group: String? = nil
    ) {
        self.path = path
        self.perStream = perStream
        self.rotateBytes = rotateBytes
        self.rotateSeconds = rotateSeconds
        self.mode = mode
        self.group = group
    }
}

/// `[output.socket]`: the Unix-socket feed; the publisher's own settings (`mode`, `group`, `max_subscribers`,
/// `subscription_timeout`, `descriptor_reserve`, `max_queued_lines`, `max_queued_bytes`, `close_grace_period`).
public struct SocketOutputConfiguration: Sendable, Equatable {
    public var publisher: PublisherConfiguration
    public var path: String { publisher.path }
    public var mode: UInt32 { publisher.mode }
    public var group: String? { publisher.group }

    /// A socket at `path`; `mode` nil keeps `PublisherConfiguration`'s default (0660).
    public init(path: String, mode: UInt32? = nil, group: String? = nil) {
        publisher = PublisherConfiguration(path: path, group: group)
        if let mode { publisher.mode = mode }
    }

    public init(publisher: PublisherConfiguration) { self.publisher = publisher }
}

/// `[metrics]`: Prometheus text format over HTTP.
public struct MetricsConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// `max_connections`, `request_timeout`, `max_request_bytes`, `descriptor_reserve`.
    public var limits: MetricsServerLimits

    public init(host: String = "127.0.0.1", port: Int = 9464, limits: MetricsServerLimits = MetricsServerLimits()) {
        self.host = host
        self.port = port
        self.limits = limits
    }
}
