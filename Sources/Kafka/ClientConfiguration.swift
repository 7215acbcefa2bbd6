import CRdKafka

/// One librdkafka configuration object (`rd_kafka_conf_t`), filled from a ``KafkaOutputConfiguration``; its only owner
/// until ``take()`` hands it to `rd_kafka_new`.
final class ClientConfiguration {
    private var handle: OpaquePointer?

    /// The properties ssdd sets itself, after the user's `properties`: the delivery guarantees and the keys of
    /// `[output.kafka]`. Each with the key an error is reported under.
    static func properties(of configuration: KafkaOutputConfiguration) -> [(name: String, value: String, key: String)] {
        var list = configuration.properties.keys.sorted().map { name in
            (name: name, value: configuration.properties[name] ?? "", key: KafkaOutputConfiguration.propertyKey(name))
        }
        list += [
            ("bootstrap.servers", configuration.brokers.joined(separator: ","), "brokers"),
            ("enable.idempotence", "true", ""),
            ("acks", "all", ""),
            ("compression.codec", configuration.compression.rawValue, "compression"),
            ("queue.buffering.max.messages", "\(configuration.queueMessages)", "queue_messages"),
            ("message.timeout.ms", "\(Int(configuration.deliveryTimeout * 1000))", "delivery_timeout"),
        ]
        return list
    }

    /// Creates a configuration holding every property of `configuration`; throws librdkafka's message for the first
    /// property it refuses.
    init(_ configuration: KafkaOutputConfiguration) throws(KafkaError) {
        handle = rd_kafka_conf_new()
        for property in Self.properties(of: configuration) {
            try set(property.name, property.value, key: property.key)
        }
    }

    deinit {
        if let handle { rd_kafka_conf_destroy(handle) }
    }

    /// Sets one property; librdkafka's error text when it refuses.
    func set(_ name: String, _ value: String, key: String) throws(KafkaError) {
        var message = [CChar](repeating: 0, count: 512)
        let result = message.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_conf_set(handle, name, value, buffer.baseAddress, buffer.count)
        }
        guard result == RD_KAFKA_CONF_OK else {
            var text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            while text.last?.isWhitespace == true { text.removeLast() }
            throw KafkaError(key: key, message: text.isEmpty ? "librdkafka refuses \(name)=\(value)" : text)
        }
    }

    /// The raw handle, for the callback setters; it stays owned by this object.
    var pointer: OpaquePointer? { handle }

    /// Hands the configuration over (to `rd_kafka_new`, which owns it once it succeeds).
    func take() -> OpaquePointer? {
        defer { handle = nil }
        return handle
    }
}
