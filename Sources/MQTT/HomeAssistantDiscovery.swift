import Foundation

/// Home Assistant MQTT discovery for the per-label counts: for every stream and label, a `sensor` (the count) and a
/// `binary_sensor` (occupancy: on while the count is above 0), both reading the retained count topic
/// `P/<stream>/<label>` and going unavailable with `P/available`. Each stream is one Home Assistant device.
///
/// The messages are retained, published on every connection and again whenever Home Assistant announces `online`
/// on `<discovery_prefix>/status`. At most ``maxLabelsPerStream`` labels per stream get entities (a COCO model has
/// 80 labels): configure a stream's `labels` to choose them.
public struct HomeAssistantDiscovery: Sendable, Equatable {
    /// Entities get created for at most this many labels of each stream.
    public static let maxLabelsPerStream = 32

    /// One stream and the labels it gets entities for.
    public struct Stream: Sendable, Equatable {
        public var name: String
        public var labels: [String]

        public init(name: String, labels: [String]) {
            self.name = name
            self.labels = labels
        }
    }

    /// One retained discovery message.
    public struct Message: Sendable, Equatable {
        public var topic: String
        public var payload: [UInt8]
    }

    public let topics: MQTTTopics
    /// The node id: the client id made a valid identifier.
    public let node: String
    public let softwareVersion: String
    /// The streams, each with at most ``maxLabelsPerStream`` labels.
    public let streams: [Stream]

    /// Keeps the first ``maxLabelsPerStream`` distinct labels of each stream.
    public init(topics: MQTTTopics, clientID: String, softwareVersion: String, streams: [Stream]) {
        self.topics = topics
        node = MQTTTopics.identifier(clientID)
        self.softwareVersion = softwareVersion
        self.streams = streams.map { stream in
            var seen: Set<String> = []
            let labels = stream.labels.filter { seen.insert($0).inserted }
            return Stream(name: stream.name, labels: Array(labels.prefix(Self.maxLabelsPerStream)))
        }
    }

    /// Every discovery message: for each stream and label a sensor, then a binary sensor.
    public var messages: [Message] {
        var messages: [Message] = []
        for stream in streams {
            let device = Device(
                identifiers: ["\(node)_\(MQTTTopics.identifier(stream.name))"], name: stream.name, manufacturer: "ssdd",
                model: "ssdd stream", swVersion: softwareVersion)
            for label in stream.labels {
                let base = "\(MQTTTopics.identifier(stream.name))_\(MQTTTopics.identifier(label))"
                let state = topics.count(FrigateTranslator.CountKey(stream: stream.name, label: label))
                let count = Entity(
                    name: "\(label) count", uniqueID: "\(node)_\(base)_count", stateTopic: state, availabilityTopic: topics.availability,
                    device: device, stateClass: "measurement", deviceClass: nil, valueTemplate: nil)
                let occupancy = Entity(
                    name: "\(label) occupancy", uniqueID: "\(node)_\(base)_occupancy", stateTopic: state,
                    availabilityTopic: topics.availability, device: device, stateClass: nil, deviceClass: "occupancy",
                    valueTemplate: "{{ 'ON' if (value | int(0)) > 0 else 'OFF' }}")
                messages.append(Message(topic: topics.discovery(component: "sensor", node: node, object: "\(base)_count"), payload: Self.json(count)))
                messages.append(
                    Message(
                        topic: topics.discovery(component: "binary_sensor", node: node, object: "\(base)_occupancy"), payload: Self.json(occupancy)))
            }
        }
        return messages
    }

    private struct Device: Encodable, Equatable {
        var identifiers: [String]
        var name: String
        var manufacturer: String
        var model: String
        var swVersion: String

        enum CodingKeys: String, CodingKey {
            case identifiers, name, manufacturer, model, swVersion = "sw_version"
        }
    }

    private struct Entity: Encodable {
        var name: String
        var uniqueID: String
        var stateTopic: String
        var availabilityTopic: String
        var payloadAvailable = "online"
        var payloadNotAvailable = "offline"
        var device: Device
        var stateClass: String?
        var deviceClass: String?
        var valueTemplate: String?

        init(
            name: String, uniqueID: String, stateTopic: String, availabilityTopic: String, device: Device, stateClass: String?,
            deviceClass: String?, valueTemplate: String?
        ) {
            self.name = name
            self.uniqueID = uniqueID
            self.stateTopic = stateTopic
            self.availabilityTopic = availabilityTopic
            self.device = device
            self.stateClass = stateClass
            self.deviceClass = deviceClass
            self.valueTemplate = valueTemplate
        }

        enum CodingKeys: String, CodingKey {
            case name, uniqueID = "unique_id", stateTopic = "state_topic", availabilityTopic = "availability_topic"
            case payloadAvailable = "payload_available", payloadNotAvailable = "payload_not_available", device
            case stateClass = "state_class", deviceClass = "device_class", valueTemplate = "value_template"
        }
    }

    private static func json(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and optionals cannot fail.
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }
}
