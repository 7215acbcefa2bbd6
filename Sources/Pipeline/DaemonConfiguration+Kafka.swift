import Kafka
import Sinks
import TOMLKit

/// `[output.kafka]`: reading and validating the Kafka output's settings.
extension DaemonConfiguration {
    /// Reads `[output.kafka]` from `[output]`; nil when absent. Every key left out keeps
    /// ``Kafka/KafkaOutputConfiguration``'s default.
    static func readKafka(_ output: inout TableReader) throws -> KafkaOutputConfiguration? {
        guard var k = try output.table("kafka") else { return nil }
        guard let brokers = try k.stringArray("brokers") else { throw k.error("brokers", "is required (an array of \"host:port\" strings)") }
        var kafka = KafkaOutputConfiguration(brokers: brokers)
        if let topic = try k.string("topic") { kafka.topic = topic }
        if let kinds = try k.recordKinds("kinds") { kafka.kinds = kinds }
        if let compression = try k.string("compression") {
            guard let value = KafkaCompression(rawValue: compression) else {
                let known = KafkaCompression.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw k.error("compression", "expected one of \(known), got '\(compression)'")
            }
            kafka.compression = value
        }
        kafka.queueMessages = try k.int("queue_messages", default: kafka.queueMessages, range: KafkaOutputConfiguration.queueMessagesRange)
        kafka.deliveryTimeout = try k.double(
            "delivery_timeout", default: kafka.deliveryTimeout, range: KafkaOutputConfiguration.deliveryTimeoutRange)
        kafka.flushTimeout = try k.double("flush_timeout", default: kafka.flushTimeout, range: KafkaOutputConfiguration.flushTimeoutRange)
        if var properties = try k.table("properties") {
            kafka.properties = try readProperties(&properties)
        }
        try k.rejectUnknownKeys()
        return kafka
    }

    /// librdkafka properties: `"sasl.mechanism" = "PLAIN"` (quoted) or nested tables written without quotes
    /// (`sasl.mechanism = "PLAIN"`), both flattened to dotted names; strings, integers, numbers and booleans.
    private static func readProperties(_ reader: inout TableReader) throws -> [String: String] {
        var result: [String: String] = [:]
        func flatten(_ table: TOMLTable, prefix: String) throws {
            for name in table.keys.sorted() {
                guard let value = table[name] else { continue }
                let full = prefix.isEmpty ? name : "\(prefix).\(name)"
                if let nested = value.table {
                    try flatten(nested, prefix: full)
                } else if let string = value.string {
                    result[full] = string
                } else if let bool = value.bool {
                    result[full] = bool ? "true" : "false"
                } else if let int = value.int {
                    result[full] = "\(int)"
                } else if let double = value.double {
                    result[full] = "\(double)"
                } else {
                    throw reader.error("\"\(full)\"", "expected a string, number or boolean (a librdkafka property)")
                }
            }
        }
        try flatten(reader.table, prefix: "")
        return result
    }

    /// `[output.kafka]` as the producer will check it (``Kafka/KafkaOutputConfiguration/validate()``).
    func validateKafka(file: String) throws(ConfigurationError) {
        do {
            try output.kafka?.validate()
        } catch {
            throw ConfigurationError(file: file, key: "output.kafka.\(error.key)", message: error.message)
        }
    }

    /// How long the outputs may take to close at shutdown: the Kafka flush deadline plus a margin, at least 10 s.
    var outputCloseDeadline: Double { max(10, (output.kafka?.flushTimeout ?? 0) + 5) }
}
