/// How an ``MQTTClient`` connects: broker, identity, credentials, TLS, Last Will and reconnect delays.
struct MQTTClientOptions: Sendable {
    /// The broker, user and password (never logged) and CA file, as validated.
    var connection: MQTTConnectionSettings
    var clientID: String
    /// Keep-alive interval in seconds (also bounds how long a TCP connect may hang).
    var keepAlive: Int
    /// The Last Will the broker publishes when the connection ends without a DISCONNECT.
    var will: MQTTMessage?
    var reconnectInitial: Double
    var reconnectMax: Double
    /// QoS ≥ 1 messages on the wire at once; the rest wait in libmosquitto's queue, in order.
    var maxInflight: Int = 100
}

/// One message to publish.
struct MQTTMessage: Sendable, Equatable {
    var topic: String
    var payload: [UInt8]
    var qos: Int
    var retain: Bool

    init(topic: String, payload: [UInt8], qos: Int, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }

    init(topic: String, text: String, qos: Int, retain: Bool) {
        self.init(topic: topic, payload: Array(text.utf8), qos: qos, retain: retain)
    }
}

/// What the client reports, on its loop thread. Handlers must not block: they run between network reads.
struct MQTTClientEvents: Sendable {
    /// The broker's CONNACK accepted the connection; runs inside libmosquitto's callback, before libmosquitto resends
    /// what was unacknowledged: a QoS 0 message published here goes out first.
    var accepted: @Sendable (MQTTClient) -> Void = { _ in }
    /// The connection is up and libmosquitto has resent what was unacknowledged.
    var connected: @Sendable (MQTTClient) -> Void = { _ in }
    /// The connection ended (or an attempt failed); `clean` when we asked for it.
    var disconnected: @Sendable (_ clean: Bool) -> Void = { _ in }
    /// The broker acknowledged the QoS ≥ 1 message `mid`, or a QoS 0 message `mid` was written to the socket.
    var published: @Sendable (_ mid: Int32) -> Void = { _ in }
    /// A message arrived on a subscribed topic.
    var message: @Sendable (_ topic: String, _ payload: [UInt8], MQTTClient) -> Void = { _, _, _ in }
}

/// The outcome of ``MQTTClient/publish(_:)``.
enum MQTTPublishResult: Sendable, Equatable {
    /// libmosquitto holds the message under packet id `mid` (sent, or waiting for a connection: QoS ≥ 1 messages are
    /// kept and resent after a reconnect); ``MQTTClientEvents/published`` reports it.
    case accepted(mid: Int32)
    /// Not connected and QoS 0: the message is gone.
    case notConnected
    /// libmosquitto refused it (`MOSQ_ERR_*`: payload too large, invalid topic, out of memory).
    case refused(code: Int32)
}
