import Foundation
import Logging
import MQTT
import ModelStore
import Sinks

extension Outputs {
    /// The `[output.mqtt]` output, if configured: connecting in the background (a broker that is down does not fail
    /// the start). A setting the output refuses (URL, password or CA file) fails the start, naming the key.
    static func openMQTT(configuration: DaemonConfiguration, logger: Logger) throws -> BrokerOutput? {
        guard let mqtt = configuration.output.mqtt else { return nil }
        let streams = mqtt.homeAssistant ? homeAssistantStreams(configuration, logger: logger) : []
        do {
            let sink = try MQTTSink(configuration: mqtt, streams: streams, softwareVersion: BuildInfo.version, logger: logger)
            return BrokerOutput(name: sink.name, sink: sink)
        } catch {
            if let (key, expected, actual) = error.invalidConfiguration {
                throw StartupError(key: key, message: "must be \(expected), got \(actual)")
            }
            throw StartupError(key: "output.mqtt", message: "\(error)")
        }
    }

    /// The labels Home Assistant gets sensors for, per stream: the stream's `labels`, else its model's labels
    /// (without the background slot and unused `N/A` slots), at most ``MQTT/HomeAssistantDiscovery/maxLabelsPerStream``.
    static func homeAssistantStreams(_ configuration: DaemonConfiguration, logger: Logger) -> [HomeAssistantDiscovery.Stream] {
        var modelLabels: [String: [String]] = [:]
        return configuration.streams.map { stream in
            var labels = stream.labels
            if labels == nil {
                let path = stream.model ?? configuration.modelPath
                if modelLabels[path] == nil {
                    // The model file is memory-mapped: reading its manifest does not read the weights.
                    let manifest = try? ModelFile(contentsOf: URL(fileURLWithPath: path)).manifest
                    modelLabels[path] = manifest.map { Array($0.labels.dropFirst()).filter { !$0.isEmpty && $0 != "N/A" } } ?? []
                }
                labels = modelLabels[path]
            }
            let all = labels ?? []
            if all.count > HomeAssistantDiscovery.maxLabelsPerStream {
                logger.warning(
                    "Home Assistant discovery: the stream has more labels than entities are made for; set the stream's labels to choose",
                    metadata: ["stream": "\(stream.name)", "labels": "\(all.count)", "used": "\(HomeAssistantDiscovery.maxLabelsPerStream)"])
            }
            return HomeAssistantDiscovery.Stream(name: stream.name, labels: all)
        }
    }
}
