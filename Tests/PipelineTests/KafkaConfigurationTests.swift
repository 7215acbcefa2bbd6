import Kafka
import Pipeline
import Sinks
import Testing

@Suite("[output.kafka] and the fleet check: typed, validated, errors name the key")
struct KafkaConfigurationTests {
    static let stream = """
        [[streams]]
        name = "cam1"
        url = "rtsp://127.0.0.1/cam"
        """

    @Test("every key, properties quoted or as nested tables")
    func everyKey() throws {
        let c = try DaemonConfiguration.parse(
            Self.stream + """

                [output.kafka]
                brokers = ["k1:9092", "k2:9092"]
                topic = "detections"
                kinds = ["track", "event"]
                compression = "zstd"
                queue_messages = 5000
                delivery_timeout = 60
                flush_timeout = 3.5
                [output.kafka.properties]
                "security.protocol" = "sasl_ssl"
                sasl.mechanism = "PLAIN"
                "linger.ms" = 20
                "enable.idempotence" = true
                """)
        let kafka = try #require(c.output.kafka)
        #expect(kafka.brokers == ["k1:9092", "k2:9092"] && kafka.topic == "detections")
        #expect(kafka.kinds == [.track, .event] && kafka.compression == .zstd)
        #expect(kafka.queueMessages == 5000 && kafka.deliveryTimeout == 60 && kafka.flushTimeout == 3.5)
        let expected = ["security.protocol": "sasl_ssl", "sasl.mechanism": "PLAIN", "linger.ms": "20", "enable.idempotence": "true"]
        #expect(kafka.properties == expected)
    }

    @Test("defaults: only brokers is required")
    func defaults() throws {
        let c = try DaemonConfiguration.parse(Self.stream + "\n[output.kafka]\nbrokers = [\"127.0.0.1:9092\"]")
        #expect(c.output.kafka == KafkaOutputConfiguration(brokers: ["127.0.0.1:9092"]))
        #expect(try DaemonConfiguration.parse(Self.stream).output.kafka == nil)
    }

    @Test(
        "malformed [output.kafka]",
        arguments: [
            ("topic = \"x\"", "output.kafka.brokers: is required (an array of \"host:port\" strings)"),
            ("brokers = [\"k:9092\"]\ncompression = \"brotli\"", "output.kafka.compression: expected one of"),
            ("brokers = [\"k:9092\"]\nkinds = [\"frame\", \"bogus\"]", "output.kafka.kinds[1]: expected one of"),
            ("brokers = [\"k:9092\"]\nkinds = []", "output.kafka.kinds: must list at least one record kind"),
            ("brokers = [\"k:9092\"]\nqueue_messages = 0", "output.kafka.queue_messages: must be between 1 and 10000000"),
            ("brokers = [\"k:9092\"]\nflush_timeout = 601", "output.kafka.flush_timeout: must be between 0.0 and 600.0"),
            ("brokers = [\"k:9092\"]\nbatch = 1", "output.kafka.batch: unknown key"),
            ("brokers = [\"nohost\"]", "output.kafka.brokers[0]: expected \"host:port\""),
            ("brokers = [\"k:9092\"]\ntopic = \"a/b\"", "output.kafka.topic: use ASCII letters"),
            ("brokers = [\"k:9092\"]\n[output.kafka.properties]\nacks = \"1\"", "output.kafka.properties.\"acks\": ssdd requires acks=all"),
            (
                "brokers = [\"k:9092\"]\n[output.kafka.properties]\n\"enable.idempotence\" = false",
                "output.kafka.properties.\"enable.idempotence\": ssdd always runs the idempotent producer"
            ),
            (
                "brokers = [\"k:9092\"]\n[output.kafka.properties]\n\"linger.msx\" = 1",
                "output.kafka.properties.\"linger.msx\": No such configuration property"
            ),
            (
                "brokers = [\"k:9092\"]\n[output.kafka.properties]\n\"linger.ms\" = [1]",
                "output.kafka.properties.\"linger.ms\": expected a string, number or boolean"
            ),
        ])
    func malformed(_ body: String, _ message: String) {
        let text = Self.stream + "\n[output.kafka]\n" + body
        #expect {
            _ = try DaemonConfiguration.parse(text)
        } throws: { error in
            "\(error)".hasPrefix("<config>: " + message)
        }
    }

    static func fleetMember(_ file: String, _ names: [String]) throws -> (file: String, configuration: DaemonConfiguration) {
        let streams = names.map { "[[streams]]\nname = \"\($0)\"\nurl = \"rtsp://127.0.0.1/\($0)\"\n" }.joined()
        return (file, try DaemonConfiguration.parse(streams, file: file))
    }

    @Test("the fleet check: a stream name used in two files is refused, naming both")
    func fleetDuplicates() throws {
        let a = try Self.fleetMember("a.toml", ["hostA-door", "hostA-yard"])
        let b = try Self.fleetMember("b.toml", ["hostB-door", "hostA-yard"])
        try DaemonConfiguration.checkFleet([a], prefix: nil)
        #expect(
            throws: ConfigurationError(
                file: "b.toml", key: "streams[1].name",
                message: "'hostA-yard' is also a stream of a.toml; stream names must be unique across the fleet (they key the Kafka records)")
        ) { try DaemonConfiguration.checkFleet([a, b], prefix: nil) }
        let c = try Self.fleetMember("c.toml", ["hostC-door"])
        try DaemonConfiguration.checkFleet([a, c], prefix: nil)
    }

    @Test("the fleet check: --fleet-prefix requires every stream name to start with it")
    func fleetPrefix() throws {
        let a = try Self.fleetMember("a.toml", ["hostA-door", "yard"])
        #expect {
            try DaemonConfiguration.checkFleet([a], prefix: "hostA-")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.file == "a.toml" && error.key == "streams[1].name"
                && error.message.hasPrefix("'yard' does not start with the fleet prefix 'hostA-'; rename it to 'hostA-yard'")
        }
        let good = try Self.fleetMember("a.toml", ["hostA-door", "hostA-yard"])
        try DaemonConfiguration.checkFleet([good], prefix: "hostA-")
        #expect(throws: ConfigurationError.self) { try DaemonConfiguration.checkFleet([good], prefix: "host A") }
    }
}
