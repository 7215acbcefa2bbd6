import MQTT
import Sinks

extension DaemonConfiguration {
    /// Reads `[output.mqtt]` (every key of ``MQTT/MQTTOutputConfiguration``); values are range-checked here and the
    /// rest (URL, files, topic prefixes) by `MQTTOutputConfiguration.validate()` in ``validateComponents(file:)``.
    static func readMQTT(_ output: inout TableReader) throws -> MQTTOutputConfiguration? {
        guard var m = try output.table("mqtt") else { return nil }
        var mqtt = MQTTOutputConfiguration(url: try m.requiredString("url"))
        if let clientID = try m.string("client_id") { mqtt.clientID = clientID }
        mqtt.username = try m.string("username")
        mqtt.passwordFile = try m.string("password_file")
        mqtt.caFile = try m.string("ca_file")
        mqtt.topicPrefix = try m.string("topic_prefix") ?? mqtt.topicPrefix
        mqtt.qos = try m.int("qos", default: mqtt.qos, range: 0...2)
        mqtt.kinds = try m.recordKinds("kinds") ?? mqtt.kinds
        if mqtt.kinds.contains(.notice) { throw m.error("kinds", "notices are not published over MQTT; remove \"notice\"") }
        mqtt.frigate = try m.bool("frigate") ?? mqtt.frigate
        mqtt.homeAssistant = try m.bool("homeassistant") ?? mqtt.homeAssistant
        mqtt.discoveryPrefix = try m.string("discovery_prefix") ?? mqtt.discoveryPrefix
        mqtt.maxQueued = try m.int("max_queued", default: mqtt.maxQueued, range: 1...MQTTOutputConfiguration.maxQueuedLimit)
        mqtt.keepAlive = try m.int("keepalive", default: mqtt.keepAlive, range: 5...3600)
        mqtt.reconnectInitial = try m.double("reconnect_initial", default: mqtt.reconnectInitial, range: 0.01...3600)
        mqtt.reconnectMax = try m.double("reconnect_max", default: mqtt.reconnectMax, range: 0.01...86_400)
        guard mqtt.reconnectMax >= mqtt.reconnectInitial else {
            throw m.error("reconnect_max", "must be at least reconnect_initial (\(mqtt.reconnectInitial))")
        }
        mqtt.closeTimeout = try m.double("close_timeout", default: mqtt.closeTimeout, range: 0...60)
        try m.rejectUnknownKeys()
        return mqtt
    }

    /// Checks `[output.mqtt]` as the output will when the daemon starts (URL, password and CA files, prefixes).
    func validateMQTT(file: String) throws(ConfigurationError) {
        guard let mqtt = output.mqtt else { return }
        do {
            try mqtt.validate()
        } catch {
            if let (key, expected, actual) = error.invalidConfiguration {
                throw ConfigurationError(file: file, key: key, message: "must be \(expected), got \(actual)")
            }
            throw ConfigurationError(file: file, key: "output.mqtt", message: "\(error)")
        }
        // Count topics are `<prefix>/<stream>/<label>`: a stream named like one of the output's own topic levels
        // would mix its counts into them.
        let reserved = ["available", "records", "events"]
        if mqtt.publishesCounts, let i = streams.firstIndex(where: { reserved.contains($0.name) }) {
            throw ConfigurationError(
                file: file, key: "streams[\(i)].name",
                message: "'\(streams[i].name)' is a topic of the MQTT output (\(reserved.joined(separator: ", "))); rename the stream")
        }
    }
}
