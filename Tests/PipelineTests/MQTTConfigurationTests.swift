import Foundation
import MQTT
import Pipeline
import Sinks
import TestSupport
import Testing

@Suite("[output.mqtt]: every key read, checked by config check, errors name the key")
struct MQTTConfigurationTests {
    static let stream = """
        [[streams]]
        name = "cam1"
        url = "rtsp://127.0.0.1/cam"
        """

    @Test("all keys")
    func allKeys() throws {
        let dir = ScratchDirectory.make("mqtt-toml").path
        try "pw\n".write(toFile: "\(dir)/pw", atomically: true, encoding: .utf8)
        let c = try DaemonConfiguration.parse(
            Self.stream + """

                [output.mqtt]
                url = "mqtt://broker.lan:1884"
                client_id = "door-pi"
                username = "ssdd"
                password_file = "\(dir)/pw"
                topic_prefix = "home/ssdd"
                qos = 2
                kinds = ["frame", "track"]
                frigate = true
                homeassistant = true
                discovery_prefix = "ha"
                max_queued = 500
                keepalive = 10
                reconnect_initial = 0.5
                reconnect_max = 5
                close_timeout = 1
                """)
        let expected = MQTTOutputConfiguration(
            url: "mqtt://broker.lan:1884", clientID: "door-pi", username: "ssdd", passwordFile: "\(dir)/pw", topicPrefix: "home/ssdd", qos: 2,
            kinds: [.frame, .track], frigate: true, homeAssistant: true, discoveryPrefix: "ha", maxQueued: 500, keepAlive: 10, reconnectInitial: 0.5,
            reconnectMax: 5, closeTimeout: 1)
        #expect(c.output.mqtt == expected)
        #expect(
            try DaemonConfiguration.parse(Self.stream + "\n[output.mqtt]\nurl = \"mqtt://h\"").output.mqtt == MQTTOutputConfiguration(url: "mqtt://h")
        )
        #expect(try DaemonConfiguration.parse(Self.stream).output.mqtt == nil)
    }

    @Test("with counts on, a stream may not be named like the output's own topics")
    func reservedStreamNames() {
        let text = "[[streams]]\nname = \"events\"\nurl = \"x.mp4\"\n[output.mqtt]\nurl = \"mqtt://h\"\nfrigate = true"
        #expect(throws: ConfigurationError.self) { try DaemonConfiguration.parse(text) }
        #expect((try? DaemonConfiguration.parse(text.replacingOccurrences(of: "frigate = true", with: ""))) != nil)
    }

    @Test(
        "errors name the key",
        arguments: [
            ("", "<config>: output.mqtt.url: is required (a string)"),
            (
                "url = \"http://h\"",
                "<config>: output.mqtt.url: must be mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (unsupported scheme 'http'), got 'http://h'"
            ),
            ("url = \"mqtt://h\"\nqos = 3", "<config>: output.mqtt.qos: must be between 0 and 2, got 3"),
            ("url = \"mqtt://h\"\nkinds = [\"notice\"]", "<config>: output.mqtt.kinds: notices are not published over MQTT; remove \"notice\""),
            (
                "url = \"mqtt://h\"\nkinds = [\"frames\"]",
                #"<config>: output.mqtt.kinds[0]: expected one of "frame", "track", "stream", "event", "notice", got 'frames'"#
            ),
            ("url = \"mqtt://h\"\nmax_queued = 0", "<config>: output.mqtt.max_queued: must be between 1 and 50000, got 0"),
            (
                "url = \"mqtt://h\"\npassword = \"x\"",
                "<config>: output.mqtt.password: unknown key (supported here: ca_file, client_id, close_timeout, discovery_prefix, frigate, homeassistant, keepalive, kinds, max_queued, password_file, qos, reconnect_initial, reconnect_max, topic_prefix, url, username)"
            ),
            (
                "url = \"mqtt://h\"\nusername = \"u\"\npassword_file = \"/nonexistent/pw\"",
                "<config>: output.mqtt.password_file: must be a readable file holding the password, got '/nonexistent/pw' (no such file)"
            ),
            (
                "url = \"mqtts://h\"\nca_file = \"/nonexistent/ca.pem\"",
                "<config>: output.mqtt.ca_file: must be a readable PEM file of CA certificates, got '/nonexistent/ca.pem' (no such file)"
            ),
            (
                "url = \"mqtt://h\"\ntopic_prefix = \"a/#\"",
                "<config>: output.mqtt.topic_prefix: must be topic levels separated by '/', without '+', '#' or empty levels, got 'a/#'"
            ),
        ])
    func errors(_ body: String, _ message: String) {
        #expect(throws: ConfigurationError.self) { try DaemonConfiguration.parse(Self.stream + "\n[output.mqtt]\n" + body) }
        do {
            _ = try DaemonConfiguration.parse(Self.stream + "\n[output.mqtt]\n" + body)
        } catch {
            #expect(error.description == message)
        }
    }
}
