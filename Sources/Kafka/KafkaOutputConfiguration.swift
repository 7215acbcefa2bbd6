import Sinks

/// `[output.kafka]`: records published to one Kafka topic by librdkafka's idempotent producer (`acks=all`), keyed by
/// stream name so that one stream's records stay in order in one partition.
public struct KafkaOutputConfiguration: Sendable, Equatable {
    /// Bootstrap brokers, `host:port` each (`brokers`, required).
    public var brokers: [String]
    /// The topic every record goes to (`topic`, default `ssdd`).
    public var topic: String
    /// Record kinds published (`kinds`, default all).
    public var kinds: Set<RecordKind>
    /// Batch compression (`compression`, default `lz4`).
    public var compression: KafkaCompression
    /// Extra librdkafka properties (`[output.kafka.properties]`, e.g. `"sasl.mechanism" = "SCRAM-SHA-512"`), checked
    /// by librdkafka itself; those that would weaken the delivery guarantees, or that have a key of their own here,
    /// are refused (see ``refusal(property:value:)``).
    public var properties: [String: String]
    /// Records librdkafka holds at most while they wait for the cluster (`queue_messages`, default 100 000): the bound
    /// of a broker outage. A record produced while the bound is reached is dropped and counted.
    public var queueMessages: Int
    /// Seconds a record may wait for its acknowledgement, retries included, before it counts as failed
    /// (`delivery_timeout`, default 300; librdkafka's `message.timeout.ms`).
    public var deliveryTimeout: Double
    /// Seconds the daemon waits at shutdown for outstanding records (`flush_timeout`, default 10); what is still
    /// unacknowledged then is counted as dropped and logged.
    public var flushTimeout: Double

    /// The `queue_messages` values accepted (librdkafka's own limit for `queue.buffering.max.messages` is higher).
    public static let queueMessagesRange = 1...10_000_000
    /// The `delivery_timeout` values accepted, in seconds.
    public static let deliveryTimeoutRange = 1.0...86_400
    /// The `flush_timeout` values accepted, in seconds.
    public static let flushTimeoutRange = 0.0...600

    /// Creates settings with the documented defaults.
    public init(
        brokers: [String], topic: String = "ssdd", kinds: Set<RecordKind> = Set(RecordKind.allCases), compression: KafkaCompression = .lz4,
        properties: [String: String] = [:], queueMessages: Int = 100_000, deliveryTimeout: Double = 300, flushTimeout: Double = 10
    ) {
        self.brokers = brokers
        self.topic = topic
        self.kinds = kinds
        self.compression = compression
        self.properties = properties
        self.queueMessages = queueMessages
        self.deliveryTimeout = deliveryTimeout
        self.flushTimeout = flushTimeout
    }

    /// The name of the output in logs and metric labels: `kafka:<topic>`.
    public var outputName: String { "kafka:\(topic)" }
}
