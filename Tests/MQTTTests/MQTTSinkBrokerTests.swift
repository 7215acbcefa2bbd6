import Foundation
import Logging
import Sinks
import TestSupport
import Testing

@testable import MQTT

/// The MQTT sink against a real mosquitto broker started by the test, observed with `mosquitto_sub`. The waits are
/// generous no-hang bounds: each returns as soon as the condition holds.
@Suite("MQTT sink against a real mosquitto", .serialized)
struct MQTTSinkBrokerTests {
    static let logger = Logger(label: "mqtt-test")

    static func lines(_ count: Int, stream: String = "cam1") throws -> [JSONLine] {
        try (0..<count).map { i in
            try JSONLineEncoder().encode(.stream(StreamRecord(stream: stream, state: .connected, time: 1000 + Double(i), message: "n\(i)")))
        }
    }

    static func wait(_ seconds: Double = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    static func configuration(_ broker: MosquittoBroker, _ change: (inout MQTTOutputConfiguration) -> Void = { _ in }) -> MQTTOutputConfiguration {
        var c = MQTTOutputConfiguration(
            url: broker.url, clientID: "ssdd-test-\(UUID().uuidString.prefix(6))", reconnectInitial: 0.05, reconnectMax: 0.2)
        change(&c)
        return c
    }

    @Test("records arrive byte for byte on their topics; online, then offline retained on close")
    func records() async throws {
        let broker = try MosquittoBroker(directory: ScratchDirectory.make("mqtt-records").path)
        let subscriber = try MQTTSubscription(broker: broker, filter: "ssdd/#")
        let sink = try MQTTSink(configuration: Self.configuration(broker), logger: Self.logger)
        let lines = try Self.lines(200)
        await sink.write(contentsOf: lines)
        let frame = try JSONLineEncoder().encode(
            .frame(FrameRecord(stream: "cam1", frameIndex: 0, pts: 0, time: 1, width: 2, height: 2, detections: [])))
        await sink.write(frame)  // frames are not in the default kinds
        let topic = "ssdd/records/cam1/stream"
        #expect(Self.wait { subscriber.payloads(on: topic).count == 200 }, "broker log:\n\(broker.log)")
        #expect(subscriber.payloads(on: topic) == lines.map { String(decoding: $0.payload, as: UTF8.self) })
        #expect(Self.wait { sink.deliveryStatistics.delivered == 200 })
        #expect(
            sink.deliveryStatistics
                == {
                    var s = DeliveryStatistics()
                    s.delivered = 200
                    s.connected = true
                    return s
                }())
        await sink.close()
        #expect(Self.wait { subscriber.payloads(on: "ssdd/available") == ["online", "offline"] })
        #expect(!subscriber.messages.contains { $0.topic.hasSuffix("/frame") })
        // A late subscriber gets the retained availability.
        let late = try MQTTSubscription(broker: broker, filter: "ssdd/available")
        #expect(Self.wait { late.messages == [.init(retained: true, topic: "ssdd/available", payload: "offline")] })
    }

    @Test("a broker down at start: the sink holds records within max_queued, drops and counts the rest, delivers after it starts")
    func brokerDownAtStart() async throws {
        let broker = try MosquittoBroker(directory: ScratchDirectory.make("mqtt-down").path)
        // A persistent subscription, so what the broker accepts while the subscriber reconnects is kept for it.
        let subscriber = try MQTTSubscription(broker: broker, filter: "ssdd/records/#", clientID: "down-sub")
        broker.stop()
        let sink = try MQTTSink(configuration: Self.configuration(broker) { $0.maxQueued = 50 }, logger: Self.logger)
        let lines = try Self.lines(80)
        await sink.write(contentsOf: lines)
        var expected = DeliveryStatistics()
        expected.dropped = 30
        expected.inFlight = 50
        #expect(sink.deliveryStatistics == expected)
        #expect(!sink.isHealthy)
        try broker.start()
        #expect(Self.wait { sink.deliveryStatistics.delivered == 50 }, "broker log:\n\(broker.log)")
        #expect(Self.wait { subscriber.payloads(on: "ssdd/records/cam1/stream").count == 50 })
        let received = subscriber.payloads(on: "ssdd/records/cam1/stream")
        #expect(received == lines.prefix(50).map { String(decoding: $0.payload, as: UTF8.self) })
        #expect(sink.isHealthy)
        await sink.close()
    }

    @Test("Home Assistant: retained discovery on connect, again when homeassistant/status says online; counts retained")
    func homeAssistant() async throws {
        let broker = try MosquittoBroker(directory: ScratchDirectory.make("mqtt-ha").path)
        let live = try MQTTSubscription(broker: broker, filter: "#")
        let sink = try MQTTSink(
            configuration: Self.configuration(broker) {
                $0.homeAssistant = true
                $0.clientID = "ssdd-ha"
            }, streams: [.init(name: "cam1", labels: ["person"])], softwareVersion: "9.9", logger: Self.logger)
        let config = "homeassistant/sensor/ssdd-ha/cam1_person_count/config"
        // On connection: the two discovery messages, and the count (0) their sensors read.
        #expect(Self.wait { live.payloads(on: "ssdd/cam1/person") == ["0"] })
        #expect(Set(live.messages.map(\.topic).filter { $0.hasPrefix("homeassistant/") }).count == 2)
        // A track start raises the count.
        let start = try JSONLineEncoder().encode(
            .track(
                TrackRecord(
                    stream: "cam1", event: .start, trackID: 1, label: "person", classIndex: 1, firstPts: 0, lastPts: 0, firstFrameIndex: 0,
                    lastFrameIndex: 0, frameCount: 1, bestScore: 0.9, time: 1)))
        await sink.write(start)
        #expect(Self.wait { live.payloads(on: "ssdd/cam1/person") == ["0", "1"] })
        // A late subscriber gets all of it retained.
        let late = try MQTTSubscription(broker: broker, filter: "#")
        #expect(Self.wait { late.messages.count == 4 })
        #expect(late.messages.allSatisfy { $0.retained })
        #expect(late.messages.contains(.init(retained: true, topic: "ssdd/cam1/person", payload: "1")))
        #expect(late.messages.contains { $0.topic == config })
        // Home Assistant restarts: discovery again.
        let before = live.messages.filter { $0.topic == config }.count
        try Self.publish(broker, topic: "homeassistant/status", payload: "online")
        #expect(Self.wait { live.messages.filter { $0.topic == config }.count == before + 1 }, "broker log:\n\(broker.log)")
        await sink.close()
    }

    @Test("wrong credentials: the broker refuses, the sink keeps trying and closes promptly")
    func refused() async throws {
        let dir = ScratchDirectory.make("mqtt-auth").path
        let broker = try MosquittoBroker(directory: dir, credentials: ("ssdd", "right"))
        try "wrong\n".write(toFile: "\(dir)/pw", atomically: true, encoding: .utf8)
        let sink = try MQTTSink(
            configuration: Self.configuration(broker) {
                $0.username = "ssdd"
                $0.passwordFile = "\(dir)/pw"
                $0.closeTimeout = 0.2
            }, logger: Self.logger)
        await sink.write(contentsOf: try Self.lines(3))
        #expect(Self.wait { broker.log.contains("not authorised") || broker.log.contains("bad user name or password") })
        #expect(!sink.deliveryStatistics.connected)
        await sink.close()
        #expect(sink.deliveryStatistics.dropped == 3)
        // And the right password connects.
        try "right\n".write(toFile: "\(dir)/pw", atomically: true, encoding: .utf8)
        let good = try MQTTSink(
            configuration: Self.configuration(broker) {
                $0.username = "ssdd"
                $0.passwordFile = "\(dir)/pw"
            }, logger: Self.logger)
        #expect(Self.wait { good.deliveryStatistics.connected })
        await good.close()
    }

    @Test("mqtts:// with ca_file: delivered over TLS; a CA that did not sign the broker's certificate never connects")
    func tls() async throws {
        let dir = ScratchDirectory.make("mqtt-tls").path
        let broker = try MosquittoBroker(directory: dir, tls: true)
        let sink = try MQTTSink(configuration: Self.configuration(broker) { $0.caFile = broker.caFile }, logger: Self.logger)
        await sink.write(contentsOf: try Self.lines(20))
        #expect(Self.wait { sink.deliveryStatistics.delivered == 20 }, "broker log:\n\(broker.log)")
        await sink.close()
        try MosquittoBroker.makeCertificates(in: dir, caName: "other")
        let untrusting = try MQTTSink(
            configuration: Self.configuration(broker) {
                $0.caFile = "\(dir)/other.pem"
                $0.closeTimeout = 0.2
            }, logger: Self.logger)
        await untrusting.write(contentsOf: try Self.lines(2))
        #expect(Self.wait { broker.log.components(separatedBy: "New connection from").count >= 4 })
        #expect(!untrusting.deliveryStatistics.connected)
        await untrusting.close()
        #expect(untrusting.deliveryStatistics.dropped == 2)
    }

    static func publish(_ broker: MosquittoBroker, topic: String, payload: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_pub")
        process.arguments = ["-h", "127.0.0.1", "-p", "\(broker.port)", "-t", topic, "-m", payload, "-q", "1"]
        try process.run()
        process.waitUntilExit()
    }
}
