import Foundation
import Kafka
import MQTT
import Testing
import WebAPI

@testable import Pipeline

@Suite("API redaction: URL passwords, Kafka secrets, the token; the configuration JSON keeps the TOML's names")
struct APIRedactionTests {
    @Test(
        "URL passwords are masked",
        arguments: [
            ("rtsp://admin:secret@10.0.0.5:554/stream1", "rtsp://admin:***@10.0.0.5:554/stream1"),
            ("rtsp://admin:p@ss@cam/s?x=1", "rtsp://admin:***@cam/s?x=1"),
            ("rtsp://token@cam/live", "rtsp://***@cam/live"),
            ("mqtts://user:pw@broker:8883", "mqtts://user:***@broker:8883"),
            ("rtsp://cam/live?user=a@b", "rtsp://cam/live?user=a@b"),
            ("rtsp://10.0.0.5/stream1", "rtsp://10.0.0.5/stream1"),
            ("/var/lib/ssdd/a@b.mp4", "/var/lib/ssdd/a@b.mp4"),
            ("/dev/video0", "/dev/video0"),
            ("", ""),
        ])
    func urls(url: String, redacted: String) {
        #expect(URLRedaction.redacting(url) == redacted)
    }

    @Test(
        "Kafka properties holding secrets",
        arguments: [
            ("sasl.password", true), ("ssl.key.password", true), ("ssl.keystore.password", true), ("sasl.oauthbearer.client.secret", true),
            ("sasl.oauthbearer.token.endpoint.url", true), ("ssl.key.pem", true), ("sasl.jaas.config", true),
            ("ssl.key.location", false), ("ssl.keystore.location", false), ("sasl.username", false), ("sasl.mechanism", false),
            ("security.protocol", false), ("linger.ms", false),
        ])
    func kafkaSecrets(name: String, secret: Bool) {
        #expect(ConfigurationJSON.isSecretKafkaProperty(name) == secret)
    }

    static let text = """
        [model]
        path = "m.safetensors"
        [[streams]]
        name = "door"
        url = "rtsp://admin:hunter2@192.0.2.10/stream1"
        fps = 10
        thresholds = { person = 0.6 }
        [[streams.zones]]
        name = "yard"
        points = [[0, 0], [10, 0], [10, 10]]
        [[streams]]
        name = "file"
        url = "/srv/a.mp4"
        [output.file]
        path = "/tmp/d.jsonl"
        [output.kafka]
        brokers = ["k:9092"]
        [output.kafka.properties]
        "sasl.password" = "kafkapass"
        "sasl.username" = "me"
        [output.mqtt]
        url = "mqtt://bob:mqttpass@broker:1883"
        [metrics]
        address = "127.0.0.1:9464"
        [http]
        address = "[::1]:8080"
        token_file = "/etc/ssdd/token"
        """

    @Test("the configuration JSON: TOML sections and keys, defaults filled in, secrets redacted")
    func configurationJSON() throws {
        let configuration = try DaemonConfiguration.parse(Self.text)
        let bytes = ConfigurationJSON.encode(configuration)
        let text = try #require(String(bytes: bytes, encoding: .utf8))
        for secret in ["hunter2", "kafkapass", "mqttpass"] { #expect(!text.contains(secret), "\(secret) leaked") }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(Set(json.keys) == ["model", "workers", "streams", "tracker", "output", "metrics", "http", "logging", "state"])
        #expect((json["model"] as? [String: Any])?["path"] as? String == "m.safetensors")
        let streams = try #require(json["streams"] as? [[String: Any]])
        #expect(streams[0]["url"] as? String == "rtsp://admin:***@192.0.2.10/stream1")
        #expect(streams[0]["fps"] as? Double == 10 && streams[1]["fps"] is NSNull)
        #expect((streams[0]["thresholds"] as? [String: Any])?["person"] as? Double == 0.6)
        #expect(((streams[0]["zones"] as? [[String: Any]])?.first)?["name"] as? String == "yard")
        #expect(streams[1]["live"] as? Bool == false && streams[1]["every"] as? Int == 1)
        let output = try #require(json["output"] as? [String: Any])
        #expect((output["file"] as? [String: Any])?["mode"] as? String == "0640")
        #expect(output["socket"] is NSNull && output["snapshots"] is NSNull)
        let kafka = try #require(output["kafka"] as? [String: Any])
        #expect(kafka["properties"] as? [String: String] == ["sasl.password": "***", "sasl.username": "me"])
        #expect((output["mqtt"] as? [String: Any])?["url"] as? String == "mqtt://bob:***@broker:1883")
        let http = try #require(json["http"] as? [String: Any])
        #expect(http["address"] as? String == "[::1]:8080" && http["token_file"] as? String == "/etc/ssdd/token")
        #expect(http["events"] as? Int == 1000 && http["latest_fps"] as? Double == 1)
        #expect((json["metrics"] as? [String: Any])?["request_timeout"] as? Double == 10)
        #expect((json["state"] as? [String: Any])?["dir"] is NSNull)
    }
}
