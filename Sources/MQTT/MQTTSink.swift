import Logging
import Sinks

/// The `[output.mqtt]` output: every record of a configured kind on `<prefix>/records/<stream>/<kind>` (the JSON
/// line's exact bytes), availability with a Last Will, and optionally Frigate-style events, retained counts and Home
/// Assistant discovery (see ``MQTTTopics``).
///
/// Delivery: records and events go out at `qos` (default 1). At QoS ≥ 1 libmosquitto keeps each one until the broker
/// acknowledges it and resends it after a reconnect; at most `max_queued` are held that way (while the broker is away,
/// or slow), and further ones are dropped, counted in ``deliveryStatistics`` and logged once per streak. At QoS 0
/// nothing is kept: records published while the broker is away are dropped and counted. A broker that is down at
/// start does not fail the start: the client keeps trying with back-off (`reconnect_initial` … `reconnect_max`).
///
/// Closing publishes `offline`, waits up to `close_timeout` for what is in flight, disconnects (so the broker drops
/// the Last Will) and ends the client's thread; records still unacknowledged then are counted as dropped.
public final class MQTTSink: DeliveryReporting {
    /// `mqtt:` and the URL without credentials: the output's name in logs and metrics.
    public let name: String
    public let configuration: MQTTOutputConfiguration
    private let core: MQTTOutputCore
    private let client: MQTTClient
    private let logger: Logger

    /// Checks the configuration (reading the password and CA files), creates the client and starts connecting in the
    /// background. `streams` are the streams and the labels Home Assistant gets entities for (used only with
    /// `homeassistant = true`).
    ///
    /// - Throws: ``MQTTError`` naming the `output.mqtt.*` key of an invalid setting, or the libmosquitto call that
    ///   refused one. An unreachable broker is not an error.
    public init(
        configuration: MQTTOutputConfiguration, streams: [HomeAssistantDiscovery.Stream] = [], softwareVersion: String = "",
        logger: Logger
    ) throws(MQTTError) {
        let connection = try configuration.resolvedConnection()
        self.configuration = configuration
        name = configuration.outputName
        var logger = logger
        logger[metadataKey: "output"] = "\(name)"
        self.logger = logger
        let topics = MQTTTopics(prefix: configuration.topicPrefix, discoveryPrefix: configuration.discoveryPrefix)
        let discovery =
            configuration.homeAssistant
            ? HomeAssistantDiscovery(topics: topics, clientID: configuration.clientID, softwareVersion: softwareVersion, streams: streams)
            : nil
        core = MQTTOutputCore(configuration: configuration, discovery: discovery, logger: logger)
        let options = MQTTClientOptions(
            connection: connection, clientID: configuration.clientID, keepAlive: configuration.keepAlive, will: core.will,
            reconnectInitial: configuration.reconnectInitial, reconnectMax: configuration.reconnectMax)
        client = try MQTTClient(options: options, events: core.events, logger: logger)
        client.start()
    }

    public func write(_ line: JSONLine) async {
        await waitForResend()
        core.write([line], client: client)
    }

    public func write(contentsOf lines: [JSONLine]) async {
        await waitForResend()
        core.write(lines, client: client)
    }

    /// After a reconnect, waits (without blocking a thread) until the broker has acknowledged what libmosquitto
    /// resends, so new records never overtake held ones on a topic. While disconnected nothing waits: libmosquitto
    /// queues new messages behind the held ones. Bounded by `close_timeout`; past it, records go out anyway (none
    /// is lost, only the order across the reconnect could differ).
    private func waitForResend() async {
        guard core.mustWaitForResend else { return }
        let deadline = ContinuousClock.now + .milliseconds(Int(configuration.closeTimeout * 1000))
        while core.mustWaitForResend, client.isConnected, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits up to `close_timeout` for the broker to acknowledge everything handed over so far.
    public func flush() async {
        _ = await waitUntilSettled(seconds: configuration.closeTimeout)
    }

    public func close() async {
        guard core.beginClosing(client: client) else { return }
        _ = await waitUntilSettled(seconds: configuration.closeTimeout)
        let lost = core.abandonAll()
        if lost > 0 {
            logger.error("MQTT output closed with records the broker never acknowledged; they are lost", metadata: ["records": "\(lost)"])
        }
        if await !client.shutdown(within: 2) {
            logger.warning("the MQTT client's thread did not end in time; exiting anyway")
        }
    }

    /// False while the broker is away, or while records are dropped for want of room.
    public var isHealthy: Bool { client.isConnected && !core.isOverflowing }

    public var deliveryStatistics: DeliveryStatistics {
        var statistics = core.statistics
        statistics.connected = client.isConnected
        return statistics
    }

    /// Polls until nothing awaits an acknowledgement, or `seconds` pass; true if settled. Without a connection and
    /// with nothing held, returns at once.
    private func waitUntilSettled(seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !core.isSettled {
            guard ContinuousClock.now < deadline, client.isConnected || core.held > 0 else { return core.isSettled }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}
