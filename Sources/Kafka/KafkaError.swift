/// A Kafka output setting that ssdd or librdkafka refuses, or a producer librdkafka could not create.
///
/// `key` names the setting inside `[output.kafka]` (`brokers`, `topic`, `properties."sasl.mechanism"`, …) so that the
/// configuration reader can report it with its full path; empty when no single key is at fault.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key inside `[output.kafka]`, or empty.
    public let key: String
    /// What is wrong and how to fix it (for a property librdkafka refuses: librdkafka's own explanation).
    public let message: String

    /// Creates an error for `key`.
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.isEmpty ? message : "\(key): \(message)" }
}
