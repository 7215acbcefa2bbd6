import Kafka
import Logging

extension Outputs {
    /// The Kafka output, if configured: its producer is created now (it connects in the background).
    static func openKafka(configuration: DaemonConfiguration, logger: Logger) throws -> BrokerOutput? {
        guard let kafka = configuration.output.kafka else { return nil }
        do {
            let sink = try KafkaSink(configuration: kafka, logger: logger)
            logger.info(
                "kafka output: producing", metadata: ["output": "\(sink.name)", "brokers": "\(kafka.brokers.joined(separator: ","))"])
            return BrokerOutput(name: sink.name, sink: sink)
        } catch {
            throw StartupError(key: "output.kafka.\(error.key)", message: error.message)
        }
    }
}
