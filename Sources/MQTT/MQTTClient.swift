import CMosquitto
import Foundation
import Logging
import Synchronization

/// One connection to an MQTT broker through libmosquitto, driven by a loop thread of its own.
///
/// The loop thread polls the client's socket and a ``WakeSignal`` (never `select(2)`, so a socket numbered above
/// 1023 works), lets libmosquitto read and write, connects and reconnects with ``ReconnectBackoff``, and reports
/// through ``MQTTClientEvents``. Any thread may call ``publish(_:)``: libmosquitto queues the message under its own
/// locks (the client is marked threaded, so callers never touch the socket) and the wake signal makes the loop send it.
/// QoS ≥ 1 messages stay in libmosquitto's queue until acknowledged and are resent after a reconnect.
///
/// `@unchecked Sendable`: the `mosquitto` handle is used by the loop thread, and by other threads only through
/// libmosquitto's thread-safe `mosquitto_publish` (its queues are behind libmosquitto's own mutexes); the loop-only
/// state (`loopState`) is touched by the loop thread alone (libmosquitto's callbacks run inside its calls);
/// everything shared is in `shared`, behind a mutex. The loop thread holds a strong reference until it ends, so
/// `deinit` (which destroys the handle) never runs while it does.
final class MQTTClient: @unchecked Sendable {
    let options: MQTTClientOptions
    let events: MQTTClientEvents
    let logger: Logger
    /// The libmosquitto client.
    let handle: OpaquePointer
    let wake: WakeSignal
    /// State every thread may read, behind a mutex.
    let shared = Mutex(Shared())
    /// State only the loop thread reads and writes (libmosquitto's callbacks run on it too).
    var loopState: LoopState

    struct Shared {
        var connected = false
        var stopRequested = false
        var threadFinished = false
        var started = false
    }

    /// The loop thread's own state.
    struct LoopState {
        var backoff: ReconnectBackoff
        var attempted = false
        /// Set by the CONNACK callback; the `connected` event runs after libmosquitto has resent its queue.
        var justConnected = false
        /// Failed attempts since the last connection (the first is logged as a warning, the rest at debug level).
        var failuresInRow = 0
        /// Why the broker refused the last CONNECT (its CONNACK code), until the disconnect that follows is logged.
        var refusal: String?
        /// Messages received during the last libmosquitto call, handed to ``MQTTClientEvents/message`` after it.
        var inbox: [(topic: String, payload: [UInt8])] = []

        init(options: MQTTClientOptions) {
            backoff = ReconnectBackoff(initial: options.reconnectInitial, maximum: options.reconnectMax)
        }
    }

    /// Creates the libmosquitto client (not yet connecting: ``start()`` does). Throws when libmosquitto refuses a
    /// setting (the CA file, the Last Will's topic).
    init(options: MQTTClientOptions, events: MQTTClientEvents, logger: Logger) throws(MQTTError) {
        try MosquittoLibrary.ensureInitialized()
        guard let wake = WakeSignal() else { throw .library("pipe2", code: MOSQ_ERR_ERRNO.rawValue) }
        self.options = options
        self.events = events
        self.logger = logger
        self.wake = wake
        loopState = LoopState(options: options)
        guard let handle = mosquitto_new(options.clientID, true, nil) else { throw .library("mosquitto_new", code: MOSQ_ERR_NOMEM.rawValue) }
        self.handle = handle
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        do {
            try configure()
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
    }

    deinit { mosquitto_destroy(handle) }

    /// Credentials, TLS, Last Will, in-flight window and callbacks.
    private func configure() throws(MQTTError) {
        func check(_ call: String, _ rc: Int32) throws(MQTTError) {
            guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw .library(call, code: rc) }
        }
        try check("mosquitto_threaded_set", mosquitto_threaded_set(handle, true))
        try check("mosquitto_max_inflight_messages_set", mosquitto_max_inflight_messages_set(handle, UInt32(options.maxInflight)))
        let connection = options.connection
        if let user = connection.user {
            try check("mosquitto_username_pw_set", mosquitto_username_pw_set(handle, user, connection.password))
        }
        if let caFile = connection.caFile {
            try check("mosquitto_tls_set (output.mqtt.ca_file)", mosquitto_tls_set(handle, caFile, nil, nil, nil, nil))
        }
        if let will = options.will {
            let rc = will.payload.withUnsafeBytes {
                mosquitto_will_set(handle, will.topic, Int32($0.count), $0.baseAddress, Int32(will.qos), will.retain)
            }
            try check("mosquitto_will_set", rc)
        }
        mosquitto_connect_callback_set(handle) { _, context, rc in
            guard let context else { return }
            Unmanaged<MQTTClient>.fromOpaque(context).takeUnretainedValue().didReceiveConnack(rc)
        }
        mosquitto_disconnect_callback_set(handle) { _, context, rc in
            guard let context else { return }
            Unmanaged<MQTTClient>.fromOpaque(context).takeUnretainedValue().didDisconnect(rc)
        }
        mosquitto_publish_callback_set(handle) { _, context, mid in
            guard let context else { return }
            Unmanaged<MQTTClient>.fromOpaque(context).takeUnretainedValue().events.published(mid)
        }
        mosquitto_message_callback_set(handle) { _, context, message in
            guard let context, let message else { return }
            let client = Unmanaged<MQTTClient>.fromOpaque(context).takeUnretainedValue()
            let m = message.pointee
            let topic = m.topic.map { String(cString: $0) } ?? ""
            let count = Int(max(0, m.payloadlen))
            let payload = count > 0 ? m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? [] : []
            // Handled after libmosquitto's call returns (the handler publishes, which is best done outside callbacks).
            client.loopState.inbox.append((topic, payload))
        }
        // libmosquitto's own log (every packet sent and received, TLS errors), formatted by libmosquitto for each
        // packet: set only for `[logging] level = "trace"`.
        if logger.logLevel <= .trace {
            mosquitto_log_callback_set(handle) { _, context, _, text in
                guard let context, let text else { return }
                Unmanaged<MQTTClient>.fromOpaque(context).takeUnretainedValue().logger.trace("libmosquitto: \(String(cString: text))")
            }
        }
    }

    /// Whether the broker has accepted the connection and it has not ended since.
    var isConnected: Bool { shared.withLock { $0.connected } }

    /// Starts the loop thread: it connects at once and keeps reconnecting until ``shutdown(within:)``.
    func start() {
        let first = shared.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard first else { return }
        let thread = Thread { [self] in
            runLoop()
            shared.withLock { $0.threadFinished = true }
        }
        thread.name = "ssdd-mqtt"
        thread.start()
    }

    /// Hands `message` to libmosquitto. Thread-safe; never blocks on the network.
    func publish(_ message: MQTTMessage) -> MQTTPublishResult {
        message.payload.withUnsafeBytes { publish(topic: message.topic, payload: $0, qos: message.qos, retain: message.retain) }
    }

    /// Hands a message to libmosquitto, which copies `payload`. Thread-safe; never blocks on the network.
    func publish(topic: String, payload: UnsafeRawBufferPointer, qos: Int, retain: Bool) -> MQTTPublishResult {
        var mid: Int32 = 0
        let rc = mosquitto_publish(handle, &mid, topic, Int32(payload.count), payload.baseAddress, Int32(qos), retain)
        switch rc {
        case MOSQ_ERR_SUCCESS.rawValue:
            wake.signal()
            return .accepted(mid: mid)
        case MOSQ_ERR_NO_CONN.rawValue:
            // QoS ≥ 1: queued in libmosquitto (sent after the next CONNACK). QoS 0: dropped.
            return qos > 0 ? .accepted(mid: mid) : .notConnected
        default:
            return .refused(code: rc)
        }
    }

    /// Subscribes to `topic`; call from ``MQTTClientEvents/connected`` (subscriptions end with the connection).
    func subscribe(_ topic: String, qos: Int) {
        let rc = mosquitto_subscribe(handle, nil, topic, Int32(qos))
        if rc != MOSQ_ERR_SUCCESS.rawValue {
            logger.warning("MQTT subscribe failed: \(MosquittoLibrary.describe(rc))", metadata: ["topic": "\(topic)"])
        }
        wake.signal()
    }

    /// Asks the loop thread to send DISCONNECT (the broker then discards the Last Will) and end, and waits up to
    /// `seconds` for it; returns whether it ended. A thread that does not end in time (a DNS lookup that hangs) is
    /// left behind, holding the client; the process exits anyway.
    func shutdown(within seconds: Double) async -> Bool {
        let started = shared.withLock { state -> Bool in
            state.stopRequested = true
            return state.started
        }
        guard started else { return true }
        wake.signal()
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if shared.withLock({ $0.threadFinished }) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return shared.withLock { $0.threadFinished }
    }
}
