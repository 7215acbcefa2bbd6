import Foundation
import Sinks

/// `[output.mqtt]`: publish records to an MQTT broker (and, optionally, Frigate-style events and Home Assistant
/// discovery). Every field has the documented default; ``validate()`` checks them all, reading the password and CA
/// files, and names the configuration key of the first problem.
public struct MQTTOutputConfiguration: Sendable, Equatable {
    /// Broker address (`url`, required): `mqtt://HOST[:PORT]` or `mqtts://HOST[:PORT]`.
    public var url: String
    /// MQTT client identifier (`client_id`, default `ssdd-<hostname>`). Two clients with one id push each other off
    /// the broker: give every daemon its own.
    public var clientID: String
    /// User name (`username`), if the broker wants one.
    public var username: String?
    /// File holding the password (`password_file`; its first line, without the line break). Never logged.
    public var passwordFile: String?
    /// CA certificates (PEM) to verify an `mqtts://` broker with (`ca_file`; required for `mqtts://`).
    public var caFile: String?
    /// First topic level of everything published (`topic_prefix`, default `ssdd`).
    public var topicPrefix: String
    /// QoS of records and events (`qos`, 0, 1 or 2; default 1). Counts, discovery, `offline` and the Last Will use
    /// QoS 1; `online` goes out at QoS 0 as the first message of each connection.
    public var qos: Int
    /// Record kinds published under `<prefix>/records/<stream>/<kind>` (`kinds`, default track, stream and event;
    /// `frame` is opt-in: one message per processed frame). Notices are never published.
    public var kinds: Set<RecordKind>
    /// Publish Frigate-style `<prefix>/events` and retained per-label counts (`frigate`, default false).
    public var frigate: Bool
    /// Publish Home Assistant discovery for count and occupancy sensors (`homeassistant`, default false; it implies
    /// the counts `frigate` publishes, which the sensors read).
    public var homeAssistant: Bool
    /// Topic prefix Home Assistant discovers under (`discovery_prefix`, default `homeassistant`).
    public var discoveryPrefix: String
    /// Records (and events) held while unacknowledged, e.g. while the broker is away (`max_queued`, default 10000,
    /// 1…50000). Beyond it new records are dropped, counted and logged.
    public var maxQueued: Int
    /// Keep-alive interval in seconds (`keepalive`, default 30, 5…3600): a broker silent for 1.5× this long is
    /// considered gone.
    public var keepAlive: Int
    /// Reconnect delays in seconds: the first (`reconnect_initial`, default 1), doubling up to `reconnect_max`
    /// (default 30).
    public var reconnectInitial: Double
    public var reconnectMax: Double
    /// How long closing waits for the broker to acknowledge what is in flight (`close_timeout`, seconds, default 3).
    public var closeTimeout: Double

    /// The default `kinds`.
    public static let defaultKinds: Set<RecordKind> = [.track, .stream, .event]
    /// The largest `max_queued`: MQTT packet identifiers are 16 bits, and every held message keeps one.
    public static let maxQueuedLimit = 50_000

    /// The default `client_id`: `ssdd-` and the host name.
    public static var defaultClientID: String { "ssdd-\(ProcessInfo.processInfo.hostName)" }

    /// Creates a configuration with the documented defaults.
    public init(
        url: String, clientID: String = MQTTOutputConfiguration.defaultClientID, username: String? = nil, passwordFile: String? = nil,
        caFile: String? = nil, topicPrefix: String = "ssdd", qos: Int = 1, kinds: Set<RecordKind> = MQTTOutputConfiguration.defaultKinds,
        frigate: Bool = false, homeAssistant: Bool = false, discoveryPrefix: String = "homeassistant", maxQueued: Int = 10_000,
        keepAlive: Int = 30, reconnectInitial: Double = 1, reconnectMax: Double = 30, closeTimeout: Double = 3
    ) {
        self.url = url
        self.clientID = clientID
        self.username = username
        self.passwordFile = passwordFile
        self.caFile = caFile
        self.topicPrefix = topicPrefix
        self.qos = qos
        self.kinds = kinds
        self.frigate = frigate
        self.homeAssistant = homeAssistant
        self.discoveryPrefix = discoveryPrefix
        self.maxQueued = maxQueued
        self.keepAlive = keepAlive
        self.reconnectInitial = reconnectInitial
        self.reconnectMax = reconnectMax
        self.closeTimeout = closeTimeout
    }

    /// The output's name in logs and metrics: `mqtt:` and the URL without credentials (the URL as written when it
    /// does not parse, credentials cut out).
    public var outputName: String {
        let shown = (try? MQTTBrokerURL(parsing: url))?.redacted ?? MQTTBrokerURL.redact(url)
        return "mqtt:\(shown)"
    }

    /// Whether per-label counts are kept (Frigate's counts, or the Home Assistant sensors that read them).
    public var publishesCounts: Bool { frigate || homeAssistant }
}
