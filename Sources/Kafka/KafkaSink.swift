import Foundation
import Logging
import Sinks
import Synchronization

/// The Kafka output: every record of the configured kinds becomes one message of the topic (key = stream name,
/// value = the JSON line without its `\n` — the same bytes the file gets — headers `kind` and `v`).
///
/// Never blocks the caller: records go into librdkafka's bounded queue (`queue_messages`); while it is full (a broker
/// outage longer than the queue lasts) new records are dropped, counted and logged once per streak. Delivery
/// reports drive ``deliveryStatistics``. ``close()`` waits at most `flush_timeout` for outstanding acknowledgements,
/// counts what is left as dropped, logs it, and destroys the client, even when the cluster is gone.
public final class KafkaSink: DeliveryReporting {
    /// `kafka:<topic>`: the output's name in logs and metrics.
    public let name: String
    private let kinds: Set<RecordKind>
    private let flushTimeout: Double
    private let queueMessages: Int
    private let logger: Logger
    private let ledger = DeliveryLedger()
    /// The producer until ``close()``; produce calls run under this lock so none can follow the shutdown.
    private let producer: Mutex<KafkaProducer?>

    /// Creates the producer (it connects in the background; an unreachable cluster does not fail the start).
    /// Throws for settings ``KafkaOutputConfiguration/validate()`` or librdkafka refuses, naming the key.
    public init(configuration: KafkaOutputConfiguration, logger: Logger) throws(KafkaError) {
        try configuration.validate()
        name = configuration.outputName
        kinds = configuration.kinds
        flushTimeout = configuration.flushTimeout
        queueMessages = configuration.queueMessages
        var logger = logger
        logger[metadataKey: "output"] = "\(configuration.outputName)"
        self.logger = logger
        producer = Mutex(try KafkaProducer(configuration: configuration, ledger: ledger, logger: logger))
    }

    public func write(_ line: JSONLine) async {
        produce(line)
    }

    public func write(contentsOf lines: [JSONLine]) async {
        for line in lines { produce(line) }
    }

    /// Delivery is asynchronous: acknowledgements arrive as delivery reports. Nothing to do here; ``close()`` waits.
    public func flush() async {}

    public func close() async {
        guard let producer = producer.withLock({ $0.take() }) else { return }
        let (flushTimeout, ledger, logger) = (self.flushTimeout, self.ledger, self.logger)
        // librdkafka's flush and destroy block: on a thread of their own, not the cooperative pool.
        await runOnThread("ssdd-kafka-close") {
            let left = producer.shutdown(flushTimeout: flushTimeout)
            let statistics = ledger.statistics
            let counts: Logger.Metadata = [
                "delivered": "\(statistics.delivered)", "failed": "\(statistics.failed)", "dropped": "\(statistics.dropped)",
            ]
            if left > 0 {
                logger.error(
                    "kafka: records not acknowledged within flush_timeout are lost (counted as dropped)",
                    metadata: counts.merging(["unacknowledged": "\(left)", "flush_timeout": "\(flushTimeout)"]) { $1 })
            }
            logger.notice("kafka: closed", metadata: counts)
        }
    }

    /// Unhealthy while records are dropped because librdkafka's queue is full.
    public var isHealthy: Bool { !ledger.isDropping }

    public var deliveryStatistics: DeliveryStatistics { ledger.statistics }

    private func produce(_ line: JSONLine) {
        guard kinds.contains(line.metadata.kind) else { return }
        let result = producer.withLock { producer -> KafkaProducer.ProduceResult? in
            guard let producer else { return nil }
            ledger.willProduce()
            return producer.produce(line)
        }
        switch result {
        case nil:
            ledger.droppedAfterClose()
        case .queued:
            let lost = ledger.produced()
            if lost > 0 { logger.notice("kafka: librdkafka's queue accepts records again", metadata: ["dropped": "\(lost)"]) }
        case .queueFull:
            if ledger.droppedOnFullQueue() {
                logger.error(
                    "kafka: librdkafka's queue is full (the cluster is away or too slow): dropping new records until it drains",
                    metadata: ["queue_messages": "\(queueMessages)"])
            }
        case .refused(let reason):
            if ledger.refused() { logger.error("kafka: librdkafka refused a record", metadata: ["error": "\(reason)"]) }
        }
    }
}
