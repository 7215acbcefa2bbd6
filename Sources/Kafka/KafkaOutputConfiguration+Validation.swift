extension KafkaOutputConfiguration {
    /// Checks every setting as the producer will use it; each error names its key. Extra properties go through
    /// librdkafka's own `rd_kafka_conf_set` (its message is reported as is); nothing connects to the cluster.
    public func validate() throws(KafkaError) {
        guard !brokers.isEmpty else { throw KafkaError(key: "brokers", message: "list at least one broker as \"host:port\"") }
        for (i, broker) in brokers.enumerated() {
            if let problem = Self.brokerProblem(broker) { throw KafkaError(key: "brokers[\(i)]", message: problem) }
        }
        if let problem = Self.topicProblem(topic) { throw KafkaError(key: "topic", message: problem) }
        guard !kinds.isEmpty else { throw KafkaError(key: "kinds", message: "must list at least one record kind") }
        guard Self.queueMessagesRange.contains(queueMessages) else {
            throw KafkaError(key: "queue_messages", message: "must be between 1 and \(Self.queueMessagesRange.upperBound), got \(queueMessages)")
        }
        guard Self.deliveryTimeoutRange.contains(deliveryTimeout) else {
            throw KafkaError(key: "delivery_timeout", message: "must be between 1 and 86400 seconds, got \(deliveryTimeout)")
        }
        guard Self.flushTimeoutRange.contains(flushTimeout) else {
            throw KafkaError(key: "flush_timeout", message: "must be between 0 and 600 seconds, got \(flushTimeout)")
        }
        for name in properties.keys.sorted() {
            if let refusal = Self.refusal(property: name, value: properties[name] ?? "") {
                throw KafkaError(key: Self.propertyKey(name), message: refusal)
            }
        }
        // librdkafka checks names and values (unknown property, value out of range, a feature it was built without).
        let client = try ClientConfiguration(self)
        _ = client
    }

    /// The key under which a librdkafka property is reported: `properties."sasl.mechanism"`.
    static func propertyKey(_ name: String) -> String { "properties.\"\(name)\"" }

    /// Why `name = value` may not be passed to librdkafka, or nil when it may.
    ///
    /// Refused: anything that would weaken the delivery guarantees (idempotence off, acks other than all, no retries,
    /// more than 5 requests in flight, a transactional producer) and properties that have a key of their own.
    public static func refusal(property name: String, value: String) -> String? {
        let ownKeys = [
            "bootstrap.servers": "brokers", "metadata.broker.list": "brokers", "compression.codec": "compression",
            "compression.type": "compression", "queue.buffering.max.messages": "queue_messages",
            "message.timeout.ms": "delivery_timeout", "delivery.timeout.ms": "delivery_timeout",
        ]
        if let own = ownKeys[name] { return "set it with the key `\(own)` of [output.kafka], not as a property" }
        let lowered = value.lowercased()
        switch name {
        case "enable.idempotence":
            return lowered == "true" ? nil : "ssdd always runs the idempotent producer (no duplicates, no reordering); remove this property"
        case "acks", "request.required.acks":
            return lowered == "all" || lowered == "-1" ? nil : "ssdd requires acks=all (every in-sync replica has the record); remove this property"
        case "retries", "message.send.max.retries":
            return (Int(value) ?? 0) >= 1 ? nil : "must be at least 1: the idempotent producer retries until delivery_timeout"
        case "max.in.flight.requests.per.connection", "max.in.flight":
            return (1...5).contains(Int(value) ?? 0) ? nil : "must be between 1 and 5 with the idempotent producer (ordering), got '\(value)'"
        case "transactional.id":
            return "transactions are not supported by the ssdd output; remove this property"
        case "queuing.strategy":
            return lowered == "fifo" ? nil : "must be fifo: records of one stream stay in order"
        default:
            return name.hasSuffix("_cb") || name == "opaque" ? "callbacks are set by ssdd" : nil
        }
    }

    /// Why `broker` is not `host:port` (optionally with a `SCHEME://` prefix such as `SSL://`), or nil.
    static func brokerProblem(_ broker: String) -> String? {
        var address = Substring(broker)
        if let scheme = address.firstRange(of: "://") { address = address[scheme.upperBound...] }
        guard let colon = address.lastIndex(of: ":") else { return "expected \"host:port\", got '\(broker)'" }
        let host = address[..<colon]
        guard !host.isEmpty, !host.contains(where: { $0 == "," || $0 == " " }) else { return "expected \"host:port\", got '\(broker)'" }
        guard let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port) else {
            return "expected a port between 1 and 65535 in '\(broker)'"
        }
        return nil
    }

    /// Why `topic` is not a legal Kafka topic name, or nil.
    static func topicProblem(_ topic: String) -> String? {
        guard !topic.isEmpty, topic.utf8.count <= 249, topic != ".", topic != ".." else {
            return "must be 1 to 249 characters and not '.' or '..', got '\(topic)'"
        }
        guard topic.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            return "use ASCII letters, digits, '.', '_' and '-' only, got '\(topic)'"
        }
        return nil
    }
}
