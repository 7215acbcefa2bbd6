import Kafka
import Testing

@Suite("Kafka output settings: checked before the producer exists, errors name the key")
struct KafkaOutputConfigurationTests {
    static let valid = KafkaOutputConfiguration(brokers: ["127.0.0.1:9092", "SSL://kafka-2.example:9093"])

    @Test("defaults: topic ssdd, every kind, lz4, 100 000 queued records, 300 s delivery, 10 s flush")
    func defaults() throws {
        let c = Self.valid
        try c.validate()
        #expect(c.topic == "ssdd" && c.outputName == "kafka:ssdd")
        #expect(c.kinds.count == 5 && c.compression == .lz4)
        #expect(c.queueMessages == 100_000 && c.deliveryTimeout == 300 && c.flushTimeout == 10)
    }

    @Test("every codec of Debian's librdkafka is accepted", arguments: KafkaCompression.allCases)
    func codecs(_ codec: KafkaCompression) throws {
        var c = Self.valid
        c.compression = codec
        try c.validate()
    }

    static let refused: [(String, String, String)] = [
        ("enable.idempotence", "false", "idempotent"),
        ("acks", "1", "acks=all"),
        ("request.required.acks", "0", "acks=all"),
        ("retries", "0", "at least 1"),
        ("max.in.flight.requests.per.connection", "10", "between 1 and 5"),
        ("transactional.id", "x", "transactions"),
        ("bootstrap.servers", "a:1", "`brokers`"),
        ("compression.type", "gzip", "`compression`"),
        ("queue.buffering.max.messages", "5", "`queue_messages`"),
        ("message.timeout.ms", "5", "`delivery_timeout`"),
    ]

    @Test("properties that would break the guarantees, or have a key of their own, are refused", arguments: refused)
    func refusedProperties(_ property: (String, String, String)) {
        var c = Self.valid
        c.properties = [property.0: property.1]
        #expect {
            try c.validate()
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.key == "properties.\"\(property.0)\"" && error.message.contains(property.2)
        }
    }

    @Test("allowed guarantees-preserving values and SASL/SSL properties pass")
    func allowedProperties() throws {
        var c = Self.valid
        c.properties = [
            "acks": "all", "enable.idempotence": "true", "security.protocol": "sasl_ssl", "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": "ssdd", "sasl.password": "secret", "linger.ms": "20", "max.in.flight": "5",
        ]
        try c.validate()
    }

    @Test("librdkafka's own message for a property it does not know or a value it refuses")
    func librdkafkaMessages() {
        var unknown = Self.valid
        unknown.properties = ["no.such.property": "1"]
        #expect {
            try unknown.validate()
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.key == "properties.\"no.such.property\"" && error.message.contains("No such configuration property")
        }
        var badValue = Self.valid
        badValue.properties = ["linger.ms": "-5"]
        #expect {
            try badValue.validate()
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            // librdkafka names the property by its canonical name (linger.ms is an alias of queue.buffering.max.ms).
            return error.key == "properties.\"linger.ms\"" && error.message.hasSuffix("value -5 is outside allowed range 0..900000")
        }
    }

    @Test(
        "brokers and topic are checked",
        arguments: [
            (["localhost"], "", "brokers[0]"), (["host:0"], "", "brokers[0]"), (["a:1", "b:x"], "", "brokers[1]"),
            (["a,b:1"], "", "brokers[0]"), ([], "", "brokers"), (["a:1"], "bad topic", "topic"), (["a:1"], "..", "topic"),
        ] as [([String], String, String)])
    func addresses(_ brokers: [String], _ topic: String, _ key: String) {
        var c = KafkaOutputConfiguration(brokers: brokers)
        if !topic.isEmpty { c.topic = topic }
        #expect {
            try c.validate()
        } throws: { error in
            (error as? KafkaError)?.key == key
        }
    }

    @Test("bounds: queue_messages, delivery_timeout, flush_timeout, kinds")
    func bounds() {
        var queue = Self.valid
        queue.queueMessages = 0
        #expect(throws: KafkaError.self) { try queue.validate() }
        var delivery = Self.valid
        delivery.deliveryTimeout = 0.5
        #expect(throws: KafkaError.self) { try delivery.validate() }
        var flush = Self.valid
        flush.flushTimeout = -1
        #expect(throws: KafkaError.self) { try flush.validate() }
        var kinds = Self.valid
        kinds.kinds = []
        #expect(throws: KafkaError(key: "kinds", message: "must list at least one record kind")) { try kinds.validate() }
    }
}
