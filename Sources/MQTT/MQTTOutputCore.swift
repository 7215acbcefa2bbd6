import Logging
import Sinks
import Synchronization

/// The MQTT output's state, shared by the writer (the output queue's task) and the client's loop thread (acks,
/// connections, Home Assistant's status): the delivery ledger, the Frigate translator and what gets published on
/// every connection. It never holds the client, so the client's event handlers can hold it without a cycle.
final class MQTTOutputCore: Sendable {
    let configuration: MQTTOutputConfiguration
    let topics: MQTTTopics
    let discovery: HomeAssistantDiscovery?
    let logger: Logger
    /// The ledger and the closing state. libmosquitto is called under this lock when a tracked message is handed
    /// over, so its acknowledgement (on the loop thread) always finds the packet id already recorded.
    private let state: Mutex<State>
    /// Frigate events and counts; used only when `frigate` or `homeassistant` is on (``keepsCounts``).
    private let translator: Mutex<FrigateTranslator>
    private let keepsCounts: Bool

    private struct State {
        var ledger: DeliveryLedger
        var closed = false
        /// Packet id of the closing `offline`, until the broker acknowledges it.
        var closingMid: Int32?
        /// Whether the drop of a QoS 0 message for want of a connection was logged since the last connection.
        var loggedDisconnectedDrop = false
        /// Where the resend after a reconnect stands; until it is `.settled` a new message could overtake the ones
        /// libmosquitto resends (see ``mustWaitForResend``).
        var resend = Resend.settled
    }

    private enum Resend {
        /// Nothing held from an earlier connection awaits its acknowledgement.
        case settled
        /// The connection ended; the next one is not accepted yet.
        case awaitingConnection
        /// Held packet ids the current connection resends and the broker has not acknowledged yet (never empty).
        case resending(Set<Int32>)
    }

    init(configuration: MQTTOutputConfiguration, discovery: HomeAssistantDiscovery?, logger: Logger) {
        self.configuration = configuration
        topics = MQTTTopics(prefix: configuration.topicPrefix, discoveryPrefix: configuration.discoveryPrefix)
        self.discovery = discovery
        self.logger = logger
        state = Mutex(State(ledger: DeliveryLedger(capacity: configuration.maxQueued)))
        keepsCounts = configuration.publishesCounts
        var translator = FrigateTranslator(options: FrigateTranslator.Options(emitsEvents: configuration.frigate))
        for stream in discovery?.streams ?? [] {
            for label in stream.labels { translator.declare(FrigateTranslator.CountKey(stream: stream.name, label: label)) }
        }
        self.translator = Mutex(translator)
    }

    /// The client's event handlers.
    var events: MQTTClientEvents {
        MQTTClientEvents(
            accepted: { [self] client in announceOnline(client) },
            connected: { [self] client in connected(client) },
            disconnected: { [self] _ in disconnected() },
            published: { [self] mid in acknowledged(mid) },
            message: { [self] topic, payload, client in received(topic: topic, payload: payload, client: client) })
    }

    /// The Last Will: `offline`, retained.
    var will: MQTTMessage { MQTTMessage(topic: topics.availability, text: "offline", qos: 1, retain: true) }

    // MARK: Writing

    /// Publishes what `lines` call for: each line of a configured kind on its records topic, and the events and
    /// counts its record causes.
    func write(_ lines: [JSONLine], client: MQTTClient) {
        for line in lines {
            let kind = line.metadata.kind
            if kind != .notice, configuration.kinds.contains(kind), let stream = line.metadata.stream {
                let topic = topics.records(stream: stream, kind: kind)
                line.payload.withUnsafeBytes { publishTracked(topic: topic, payload: $0, isRecord: true, client: client) }
            }
            if keepsCounts, let record = line.record {
                let outputs = translator.withLock { $0.process(record) }
                if !outputs.isEmpty { publish(outputs, client: client) }
            }
        }
    }

    /// Events are tracked (bounded, resent); counts are retained state, published while connected and all again on
    /// every connection.
    private func publish(_ outputs: [FrigateTranslator.Output], client: MQTTClient) {
        for output in outputs {
            switch output {
            case let .event(event):
                guard let payload = FrigateEventEncoder.encode(event) else { continue }
                payload.withUnsafeBytes { publishTracked(topic: topics.events, payload: $0, isRecord: false, client: client) }
            case let .count(key, value):
                if client.isConnected { publishCount(key, value, client: client) }
            }
        }
    }

    private func publishCount(_ key: FrigateTranslator.CountKey, _ value: Int, client: MQTTClient) {
        _ = client.publish(MQTTMessage(topic: topics.count(key), text: "\(value)", qos: 1, retain: true))
    }

    /// Hands one tracked message (never retained, at the configured QoS) to libmosquitto within the bound, and
    /// records the outcome; logs the first drop of an overflow or a disconnection.
    private func publishTracked(topic: String, payload: UnsafeRawBufferPointer, isRecord: Bool, client: MQTTClient) {
        let qos = configuration.qos
        enum Log { case none, overflow, disconnected, refused(Int32) }
        let log = state.withLock { state -> Log in
            guard !state.closed else {
                state.ledger.notConnected(isRecord: isRecord)
                return .none
            }
            let (admit, startsOverflow) = state.ledger.admit(isRecord: isRecord)
            guard admit else { return startsOverflow ? .overflow : .none }
            switch client.publish(topic: topic, payload: payload, qos: qos, retain: false) {
            case let .accepted(mid):
                state.ledger.accepted(mid: mid, isRecord: isRecord, qos: qos)
                return .none
            case .notConnected:
                state.ledger.notConnected(isRecord: isRecord)
                defer { state.loggedDisconnectedDrop = true }
                return state.loggedDisconnectedDrop ? .none : .disconnected
            case let .refused(code):
                state.ledger.refused(isRecord: isRecord)
                return .refused(code)
            }
        }
        switch log {
        case .none: break
        case .overflow:
            logger.error(
                "MQTT output: \(configuration.maxQueued) messages await the broker's acknowledgement (max_queued); dropping new ones until half are acknowledged",
                metadata: ["output": "\(configuration.outputName)"])
        case .disconnected:
            logger.warning(
                "MQTT output: the broker is away and qos = 0 keeps nothing; records are dropped until it is back",
                metadata: ["output": "\(configuration.outputName)"])
        case let .refused(code):
            logger.error(
                "MQTT output: libmosquitto refused a message: \(MosquittoLibrary.describe(code))", metadata: ["output": "\(configuration.outputName)"]
            )
        }
    }

    // MARK: Loop-thread events

    /// `online`, retained, as the very first message of every connection: at QoS 0 it is queued at once, ahead of
    /// what libmosquitto resends (a connection that dies before sending it gets its own `online` when it is back).
    private func announceOnline(_ client: MQTTClient) {
        _ = client.publish(MQTTMessage(topic: topics.availability, text: "online", qos: 0, retain: true))
    }

    /// The connection ended: QoS 0 messages are lost; new messages wait for the resend after the next connection.
    private func disconnected() {
        state.withLock { state in
            state.ledger.connectionLost()
            state.resend = .awaitingConnection
        }
    }

    /// Whether the writer must hold new messages back: the client is connected again and the messages held from
    /// before (which libmosquitto resends after the connection is accepted) are not all acknowledged, so a message
    /// published now could reach the broker ahead of them and break the file's order per topic.
    var mustWaitForResend: Bool {
        state.withLock {
            if case .settled = $0.resend { return false }
            return true
        }
    }

    /// After every connection: Home Assistant's status subscription and discovery, every count.
    private func connected(_ client: MQTTClient) {
        state.withLock { state in
            state.loggedDisconnectedDrop = false
            let held = state.ledger.resendableMids
            state.resend = held.isEmpty ? .settled : .resending(held)
        }
        if let discovery {
            client.subscribe(topics.homeAssistantStatus, qos: 1)
            publishDiscovery(discovery, client: client)
        }
        publishCounts(client: client)
    }

    private func publishDiscovery(_ discovery: HomeAssistantDiscovery, client: MQTTClient) {
        for message in discovery.messages {
            _ = client.publish(MQTTMessage(topic: message.topic, payload: message.payload, qos: 1, retain: true))
        }
    }

    private func publishCounts(client: MQTTClient) {
        guard keepsCounts else { return }
        for (key, value) in translator.withLock({ $0.currentCounts }) { publishCount(key, value, client: client) }
    }

    private func acknowledged(_ mid: Int32) {
        let recovered = state.withLock { state -> Bool in
            if state.closingMid == mid { state.closingMid = nil }
            if case var .resending(held) = state.resend, held.remove(mid) != nil {
                state.resend = held.isEmpty ? .settled : .resending(held)
            }
            return state.ledger.acknowledged(mid: mid)
        }
        if recovered {
            logger.notice("MQTT output: the broker caught up; accepting records again", metadata: ["output": "\(configuration.outputName)"])
        }
    }

    /// Home Assistant (re)started: discovery and counts again.
    private func received(topic: String, payload: [UInt8], client: MQTTClient) {
        guard let discovery, topic == topics.homeAssistantStatus, payload == Array("online".utf8) else { return }
        logger.info("Home Assistant is online: publishing discovery again", metadata: ["output": "\(configuration.outputName)"])
        publishDiscovery(discovery, client: client)
        publishCounts(client: client)
    }

    // MARK: Closing

    /// Stops accepting lines and publishes the closing `offline`; false if already closed.
    func beginClosing(client: MQTTClient) -> Bool {
        state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.closed = true
            if client.isConnected || state.ledger.held > 0,
                case let .accepted(mid) = client.publish(MQTTMessage(topic: topics.availability, text: "offline", qos: 1, retain: true))
            {
                state.closingMid = mid
            }
            return true
        }
    }

    /// Whether nothing tracked awaits an acknowledgement (nor the closing `offline`).
    var isSettled: Bool { state.withLock { $0.ledger.held == 0 && $0.closingMid == nil } }

    /// Counts everything still held as dropped (shutdown); returns how many records that was.
    func abandonAll() -> Int { state.withLock { $0.ledger.abandonAll() } }

    var statistics: DeliveryStatistics { state.withLock { $0.ledger.statistics } }
    /// Tracked messages awaiting an acknowledgement.
    var held: Int { state.withLock { $0.ledger.held } }
    var isOverflowing: Bool { state.withLock { $0.ledger.isOverflowing } }
}
