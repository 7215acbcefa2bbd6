import Foundation
import TestSupport
import Testing

@testable import MQTT

@Suite("MQTT output configuration: URLs, files and values are checked, errors name the key")
struct MQTTConfigurationValidationTests {
    @Test(
        "broker URLs",
        arguments: [
            ("mqtt://127.0.0.1", "mqtt://127.0.0.1:1883"),
            ("mqtts://broker.example:8884/", "mqtts://broker.example:8884"),
            ("mqtt://user:secret@[::1]:1999", "mqtt://[::1]:1999"),
        ])
    func urls(_ text: String, _ redacted: String) throws {
        #expect(try MQTTBrokerURL(parsing: text).redacted == redacted)
    }

    @Test("credentials in the URL are parsed and never shown")
    func credentials() throws {
        let url = try MQTTBrokerURL(parsing: "mqtt://user:secret@host")
        #expect(url.user == "user" && url.password == "secret")
        #expect(MQTTOutputConfiguration(url: "mqtt://user:secret@host").outputName == "mqtt:mqtt://host:1883")
        #expect(MQTTOutputConfiguration(url: "http://user:secret@host/x").outputName == "mqtt:http://…@host/x")
    }

    @Test(
        "invalid URLs name output.mqtt.url",
        arguments: ["http://host", "mqtt://", "mqtt://host:0", "mqtt://host:70000", "mqtt://host/topic", "mqtt://host?x=1", "host:1883"])
    func invalidURL(_ text: String) {
        #expect(Self.key(MQTTOutputConfiguration(url: text)) == "output.mqtt.url")
    }

    /// The key of the error `configuration.validate()` throws, or nil when it passes.
    static func key(_ configuration: MQTTOutputConfiguration) -> String? {
        do {
            try configuration.validate()
            return nil
        } catch {
            return error.invalidConfiguration?.key
        }
    }

    /// The message of the error `configuration.validate()` throws, or nil when it passes.
    static func message(_ configuration: MQTTOutputConfiguration) -> String? {
        do {
            try configuration.validate()
            return nil
        } catch {
            return error.description
        }
    }

    @Test("password file: read, first line only; missing, empty or without a user name is refused")
    func passwordFile() throws {
        let dir = ScratchDirectory.make("mqtt-config").path
        try "s3cret\nignored\n".write(toFile: "\(dir)/pw", atomically: true, encoding: .utf8)
        try "\n".write(toFile: "\(dir)/empty", atomically: true, encoding: .utf8)
        var c = MQTTOutputConfiguration(url: "mqtt://host", username: "ssdd", passwordFile: "\(dir)/pw")
        #expect(try c.resolvedConnection().password == "s3cret")
        c.passwordFile = "\(dir)/missing"
        #expect(
            Self.message(c)
                == "output.mqtt.password_file: must be a readable file holding the password, got '\(dir)/missing' (no such file)")
        c.passwordFile = "\(dir)/empty"
        #expect(Self.key(c) == "output.mqtt.password_file")
        c.passwordFile = dir
        #expect(Self.message(c)?.hasSuffix("(a directory)") == true)
        c = MQTTOutputConfiguration(url: "mqtt://host", passwordFile: "\(dir)/pw")
        #expect(Self.message(c) == "output.mqtt.password_file: must be used with username, got no username")
        // The password itself never appears in an error.
        c = MQTTOutputConfiguration(url: "mqtt://u:s3cret@host", username: "x")
        #expect(Self.message(c)?.contains("s3cret") == false)
    }

    @Test("ca_file: required for mqtts, must hold a PEM certificate, refused for mqtt")
    func caFile() throws {
        let dir = ScratchDirectory.make("mqtt-ca").path
        try "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".write(toFile: "\(dir)/ca.pem", atomically: true, encoding: .utf8)
        try "not a certificate".write(toFile: "\(dir)/bad.pem", atomically: true, encoding: .utf8)
        #expect(
            Self.message(MQTTOutputConfiguration(url: "mqtts://host"))
                == "output.mqtt.ca_file: must be set for an mqtts:// broker (PEM CA certificates), got nothing")
        #expect(Self.key(MQTTOutputConfiguration(url: "mqtts://host", caFile: "\(dir)/ca.pem")) == nil)
        #expect(Self.key(MQTTOutputConfiguration(url: "mqtts://host", caFile: "\(dir)/bad.pem")) == "output.mqtt.ca_file")
        #expect(Self.key(MQTTOutputConfiguration(url: "mqtts://host", caFile: "\(dir)/none.pem")) == "output.mqtt.ca_file")
        #expect(Self.key(MQTTOutputConfiguration(url: "mqtt://host", caFile: "\(dir)/ca.pem")) == "output.mqtt.ca_file")
    }

    @Test(
        "values out of range name their key",
        arguments: [
            ("output.mqtt.topic_prefix", MQTTOutputConfiguration(url: "mqtt://h", topicPrefix: "a/+")),
            ("output.mqtt.topic_prefix", MQTTOutputConfiguration(url: "mqtt://h", topicPrefix: "a//b")),
            ("output.mqtt.topic_prefix", MQTTOutputConfiguration(url: "mqtt://h", topicPrefix: "")),
            ("output.mqtt.discovery_prefix", MQTTOutputConfiguration(url: "mqtt://h", discoveryPrefix: "#")),
            ("output.mqtt.qos", MQTTOutputConfiguration(url: "mqtt://h", qos: 3)),
            ("output.mqtt.max_queued", MQTTOutputConfiguration(url: "mqtt://h", maxQueued: 0)),
            ("output.mqtt.max_queued", MQTTOutputConfiguration(url: "mqtt://h", maxQueued: 60_000)),
            ("output.mqtt.keepalive", MQTTOutputConfiguration(url: "mqtt://h", keepAlive: 1)),
            ("output.mqtt.kinds", MQTTOutputConfiguration(url: "mqtt://h", kinds: [])),
            ("output.mqtt.client_id", MQTTOutputConfiguration(url: "mqtt://h", clientID: "")),
            ("output.mqtt.reconnect_max", MQTTOutputConfiguration(url: "mqtt://h", reconnectInitial: 5, reconnectMax: 1)),
            ("output.mqtt.close_timeout", MQTTOutputConfiguration(url: "mqtt://h", closeTimeout: -1)),
            ("output.mqtt.username", MQTTOutputConfiguration(url: "mqtt://a@h", username: "b")),
        ])
    func ranges(_ key: String, _ configuration: MQTTOutputConfiguration) {
        #expect(Self.key(configuration) == key)
    }

    @Test("defaults")
    func defaults() throws {
        let c = MQTTOutputConfiguration(url: "mqtt://h")
        #expect(c.clientID == "ssdd-\(ProcessInfo.processInfo.hostName)")
        #expect(c.topicPrefix == "ssdd" && c.qos == 1 && c.maxQueued == 10_000 && !c.frigate && !c.homeAssistant)
        #expect(c.kinds == [.track, .stream, .event])
        try c.validate()
    }

    @Test("reconnect back-off doubles up to its maximum and starts over after a connection")
    func backoff() {
        var backoff = ReconnectBackoff(initial: 0.5, maximum: 3)
        #expect((0..<5).map { _ in backoff.nextDelay() } == [0.5, 1, 2, 3, 3])
        backoff.reset()
        #expect(backoff.nextDelay() == 0.5)
    }
}
