import CRdKafka
import Logging
import Synchronization

/// What librdkafka's callbacks (delivery reports, client errors, log lines) reach through the client's opaque pointer:
/// the ledger and the logger. Owned by ``KafkaProducer``, which outlives every callback (they stop with
/// `rd_kafka_destroy`).
final class ProducerContext: Sendable {
    let ledger: DeliveryLedger
    let logger: Logger
    /// Whether "all brokers are down" was logged and no broker has answered since (to log it once per outage).
    private let outageLogged = Atomic<Bool>(false)

    init(ledger: DeliveryLedger, logger: Logger) {
        self.ledger = ledger
        self.logger = logger
    }

    /// One delivery report (poll thread).
    func deliveryReport(_ error: rd_kafka_resp_err_t) {
        switch error {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            _ = ledger.report(.delivered)
            if outageLogged.exchange(false, ordering: .relaxed) { logger.notice("kafka: the cluster acknowledges records again") }
        case RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
            _ = ledger.report(.purged)
        default:
            if ledger.report(.failed) {
                logger.error(
                    "kafka: a record was not delivered (further failures are counted in ssdd_output_record_failures_total)",
                    metadata: ["error": "\(Self.describe(error))"])
            }
        }
    }

    /// A client-wide error (any librdkafka thread).
    func clientError(_ code: Int32, reason: String) {
        if code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN.rawValue {
            ledger.setConnected(false)
            if !outageLogged.exchange(true, ordering: .relaxed) {
                logger.warning("kafka: all brokers are down; records wait in librdkafka's bounded queue", metadata: ["reason": "\(reason)"])
            }
        } else if code == RD_KAFKA_RESP_ERR__FATAL.rawValue {
            logger.critical("kafka: fatal producer error; records are no longer delivered", metadata: ["reason": "\(reason)"])
        } else {
            logger.debug("kafka: client error", metadata: ["reason": "\(reason)"])
        }
    }

    /// One of librdkafka's own log lines (syslog levels).
    func log(level: Int32, facility: String, message: String) {
        let swiftLevel: Logger.Level =
            switch level {
            case ...4: .warning
            case 5: .notice
            case 6: .info
            default: .debug
            }
        logger.log(level: swiftLevel, "kafka: \(message)", metadata: ["facility": "\(facility)"])
    }

    /// librdkafka's name and text for an error code.
    static func describe(_ error: rd_kafka_resp_err_t) -> String {
        let name = rd_kafka_err2name(error).map { String(cString: $0) } ?? "\(error.rawValue)"
        let text = rd_kafka_err2str(error).map { String(cString: $0) } ?? ""
        return "\(name): \(text)"
    }
}
