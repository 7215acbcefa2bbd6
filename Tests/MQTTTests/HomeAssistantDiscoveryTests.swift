import Foundation
import Testing

@testable import MQTT

@Suite("Home Assistant discovery messages")
struct HomeAssistantDiscoveryTests {
    static let topics = MQTTTopics(prefix: "ssdd", discoveryPrefix: "homeassistant")

    static func object(_ payload: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
    }

    @Test("a count sensor and an occupancy binary sensor per stream and label, reading the count topic")
    func messages() throws {
        let discovery = HomeAssistantDiscovery(
            topics: Self.topics, clientID: "ssdd-host.lan", softwareVersion: "0.1.0",
            streams: [.init(name: "cam1", labels: ["person", "traffic light"]), .init(name: "door", labels: ["person"])])
        let messages = discovery.messages
        #expect(
            messages.map(\.topic) == [
                "homeassistant/sensor/ssdd-host_lan/cam1_person_count/config",
                "homeassistant/binary_sensor/ssdd-host_lan/cam1_person_occupancy/config",
                "homeassistant/sensor/ssdd-host_lan/cam1_traffic_light_count/config",
                "homeassistant/binary_sensor/ssdd-host_lan/cam1_traffic_light_occupancy/config",
                "homeassistant/sensor/ssdd-host_lan/door_person_count/config",
                "homeassistant/binary_sensor/ssdd-host_lan/door_person_occupancy/config",
            ])
        let sensor = try Self.object(messages[2].payload)
        #expect(sensor["unique_id"] as? String == "ssdd-host_lan_cam1_traffic_light_count")
        #expect(sensor["state_topic"] as? String == "ssdd/cam1/traffic light")
        #expect(sensor["availability_topic"] as? String == "ssdd/available")
        #expect(sensor["payload_available"] as? String == "online")
        #expect(sensor["payload_not_available"] as? String == "offline")
        #expect(sensor["state_class"] as? String == "measurement")
        #expect(sensor["name"] as? String == "traffic light count")
        let device = try #require(sensor["device"] as? [String: Any])
        #expect(device["identifiers"] as? [String] == ["ssdd-host_lan_cam1"])
        #expect(device["name"] as? String == "cam1")
        #expect(device["sw_version"] as? String == "0.1.0")
        let occupancy = try Self.object(messages[1].payload)
        #expect(occupancy["device_class"] as? String == "occupancy")
        #expect(occupancy["state_topic"] as? String == "ssdd/cam1/person")
        #expect(occupancy["value_template"] as? String == "{{ 'ON' if (value | int(0)) > 0 else 'OFF' }}")
        #expect(occupancy["unique_id"] as? String == "ssdd-host_lan_cam1_person_occupancy")
    }

    @Test("labels are de-duplicated and capped per stream")
    func cap() {
        let labels = (0..<40).map { "l\($0)" } + ["l0"]
        let discovery = HomeAssistantDiscovery(topics: Self.topics, clientID: "x", softwareVersion: "", streams: [.init(name: "s", labels: labels)])
        #expect(discovery.streams[0].labels == Array(labels.prefix(HomeAssistantDiscovery.maxLabelsPerStream)))
        #expect(discovery.messages.count == 2 * HomeAssistantDiscovery.maxLabelsPerStream)
    }

    @Test("topic levels and identifiers are made valid")
    func sanitising() {
        #expect(MQTTTopics.level("a/b+c#") == "a_b_c_")
        #expect(MQTTTopics.level("") == "_")
        #expect(MQTTTopics.level("hot dog") == "hot dog")
        #expect(MQTTTopics.identifier("hot dog/ü") == "hot_dog__")
        #expect(Self.topics.count(.init(stream: "cam1", zone: "drive way", label: "a/b")) == "ssdd/cam1/drive way/a_b")
        #expect(Self.topics.records(stream: "cam1", kind: .track) == "ssdd/records/cam1/track")
    }
}
