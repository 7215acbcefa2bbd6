import Logging
import Sinks

/// A message-broker output (MQTT, Kafka) as `Outputs` runs it: its queue name and sink. Broker outputs receive every
/// stream's lines; each sink picks the record kinds it publishes.
struct BrokerOutput: Sendable {
    /// The queue's and the metrics' name, e.g. `mqtt:mqtt://127.0.0.1:1883` or `kafka:ssdd`.
    let name: String
    let sink: any DeliveryReporting
}

extension Outputs {
    /// Connects the configured broker outputs. A broker that is unreachable at start does not fail the start (the
    /// sink reconnects and buffers within its bound); a setting the client library refuses does, naming the key.
    static func openBrokers(configuration: DaemonConfiguration, logger: Logger) async throws -> [BrokerOutput] {
        var brokers: [BrokerOutput] = []
        if let kafka = try openKafka(configuration: configuration, logger: logger) { brokers.append(kafka) }
        if let mqtt = try openMQTT(configuration: configuration, logger: logger) { brokers.append(mqtt) }
        return brokers
    }
}
