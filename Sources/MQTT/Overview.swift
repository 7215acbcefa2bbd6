// The MQTT module: ssdd's `[output.mqtt]`, the only user of libmosquitto (CMosquitto).
//
// - `MQTTSink` is the output (a `Sinks.DeliveryReporting` sink); `MQTTOutputConfiguration` its settings and their
//   validation; `MQTTTopics` the topic layout.
// - `MQTTClient` owns one libmosquitto client and its loop thread (poll, read, write, keep-alive, reconnect with
//   `ReconnectBackoff`); `DeliveryLedger` bounds and counts what awaits the broker's acknowledgement.
// - `FrigateTranslator` (pure) turns records into Frigate-style events and per-label counts;
//   `HomeAssistantDiscovery` builds the discovery messages for the count and occupancy sensors.
