import Events
import Foundation
import Kafka
import MQTT
import Sinks
import Tracking
import WebAPI

/// The running ``DaemonConfiguration`` as the JSON object `GET /api/v1/config` answers: the TOML file's sections and
/// key names (`{"model":{"path":…},"workers":{…},"streams":[…],"output":{"file":…},"http":{…},…}`), every value as
/// the daemon uses it (defaults filled in; an absent optional section or key is `null`), with secrets redacted:
///
/// - passwords in stream URLs and the MQTT URL (``URLRedaction``);
/// - Kafka properties that hold secrets (``isSecretKafkaProperty(_:)``), their values replaced by `***`;
/// - the bearer token is never read here: only `token_file`, its path, appears (likewise MQTT's `password_file`).
enum ConfigurationJSON {
    /// The JSON text (UTF-8) of `configuration`, keys sorted.
    static func encode(_ configuration: DaemonConfiguration) -> [UInt8] {
        let object = document(configuration)
        // Only strings, numbers, booleans, arrays, dictionaries and NSNull go in: serialization cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }

    /// The document as Foundation values.
    static func document(_ c: DaemonConfiguration) -> [String: Any] {
        var document: [String: Any] = [
            "model": ["path": c.modelPath],
            "workers": ["count": c.workers.count, "threads": c.workers.threads, "queue": c.workers.queueCapacity, "winograd": c.workers.winograd],
            "streams": c.streams.map(stream),
            "tracker": ["max_age": c.tracker.maxAge, "min_hits": c.tracker.minHits, "iou_threshold": c.tracker.iouThreshold],
            "output": output(c.output),
            "logging": ["level": c.logLevel],
            "state": ["dir": optional(c.stateDirectory)],
        ]
        document["metrics"] = optional(c.metrics.map(metrics))
        document["http"] = optional(c.http.map(http))
        return document
    }

    /// Whether a librdkafka property holds a secret: its name contains `password`, `secret`, `token`, `credential` or
    /// `jaas` (SASL passwords, OAuth client secrets, JAAS configs), or `key` unless it names a file (`….location`):
    /// `ssl.key.pem` is a private key, `ssl.key.location` only its path.
    static func isSecretKafkaProperty(_ name: String) -> Bool {
        let lower = name.lowercased()
        let words = ["password", "secret", "token", "credential", "jaas"]
        if words.contains(where: { lower.contains($0) }) { return true }
        return lower.contains("key") && !lower.hasSuffix(".location")
    }

    private static func stream(_ s: StreamConfiguration) -> [String: Any] {
        var labelThresholds: [String: Any] = [:]
        for (label, value) in s.labelThresholds { labelThresholds[label] = number(value) }
        return [
            "name": s.name, "url": URLRedaction.redacting(s.url), "live": s.live, "model": optional(s.model), "every": s.everyNth,
            "fps": optional(s.maxFramesPerSecond), "threshold": number(s.threshold), "thresholds": labelThresholds,
            "labels": optional(s.labels), "decoder_threads": s.decoderThreads, "queue": optional(s.queueCapacity),
            "reconnect_initial": s.reconnectInitial, "reconnect_max": s.reconnectMax, "stall_timeout": s.stallTimeout,
            "resize": s.resize.rawValue, "zones": s.zones.map(zone), "lines": s.lines.map(line),
            "realtime": s.realtime, "loop": s.loop,
            "motion": s.motion != nil, "motion_threshold": optional(s.motion?.threshold),
            "motion_cell_delta": optional(s.motion?.cellDelta), "motion_refresh": optional(s.motion?.refreshSeconds),
        ]
    }

    private static func zone(_ z: ZoneDefinition) -> [String: Any] {
        [
            "name": z.name, "points": z.points.map { [$0.x, $0.y] }, "relative": z.relative, "labels": optional(z.labels),
            "anchor": z.anchor.rawValue, "loiter": z.loiter, "debounce": z.steadiness.frames, "margin": z.steadiness.margin,
        ]
    }

    private static func line(_ l: LineDefinition) -> [String: Any] {
        [
            "name": l.name, "points": [[l.start.x, l.start.y], [l.end.x, l.end.y]], "relative": l.relative, "labels": optional(l.labels),
            "anchor": l.anchor.rawValue, "debounce": l.steadiness.frames, "margin": l.steadiness.margin,
        ]
    }

    private static func output(_ o: OutputConfiguration) -> [String: Any] {
        [
            "empty_frames": o.emptyFrames, "file": optional(o.file.map(file)), "socket": optional(o.socket.map(socket)),
            "snapshots": optional(o.snapshots.map(snapshots)), "kafka": optional(o.kafka.map(kafka)), "mqtt": optional(o.mqtt.map(mqtt)),
        ]
    }

    private static func file(_ f: FileOutputConfiguration) -> [String: Any] {
        [
            "path": f.path, "per_stream": f.perStream, "rotate_bytes": f.rotateBytes, "rotate_seconds": f.rotateSeconds,
            "mode": mode(f.mode), "group": optional(f.group),
        ]
    }

    private static func socket(_ s: SocketOutputConfiguration) -> [String: Any] {
        let p = s.publisher
        return [
            "path": p.path, "mode": mode(p.mode), "group": optional(p.group), "max_subscribers": p.maxSubscribers,
            "subscription_timeout": seconds(p.subscriptionTimeout), "descriptor_reserve": p.descriptorReserve,
            "max_queued_lines": p.maxQueuedLines, "max_queued_bytes": p.maxQueuedBytes, "close_grace_period": seconds(p.closeGracePeriod),
        ]
    }

    private static func snapshots(_ s: SnapshotConfiguration) -> [String: Any] {
        [
            "dir": s.directory, "quality": s.quality, "crop": s.crop, "latest": s.latest, "latest_fps": s.latestFramesPerSecond,
            "retain_days": s.retainDays,
        ]
    }

    private static func kafka(_ k: KafkaOutputConfiguration) -> [String: Any] {
        var properties: [String: Any] = [:]
        for (name, value) in k.properties { properties[name] = isSecretKafkaProperty(name) ? URLRedaction.mask : value }
        return [
            "brokers": k.brokers, "topic": k.topic, "kinds": kinds(k.kinds), "compression": k.compression.rawValue,
            "queue_messages": k.queueMessages, "delivery_timeout": k.deliveryTimeout, "flush_timeout": k.flushTimeout,
            "properties": properties,
        ]
    }

    private static func mqtt(_ m: MQTTOutputConfiguration) -> [String: Any] {
        [
            "url": URLRedaction.redacting(m.url), "client_id": m.clientID, "username": optional(m.username),
            "password_file": optional(m.passwordFile), "ca_file": optional(m.caFile), "topic_prefix": m.topicPrefix, "qos": m.qos,
            "kinds": kinds(m.kinds), "frigate": m.frigate, "homeassistant": m.homeAssistant, "discovery_prefix": m.discoveryPrefix,
            "max_queued": m.maxQueued, "keepalive": m.keepAlive, "reconnect_initial": m.reconnectInitial,
            "reconnect_max": m.reconnectMax, "close_timeout": m.closeTimeout,
        ]
    }

    private static func metrics(_ m: MetricsConfiguration) -> [String: Any] {
        [
            "address": ListenAddress(host: m.host, port: m.port).description, "max_connections": m.limits.maxConnections,
            "request_timeout": seconds(m.limits.requestTimeout), "max_request_bytes": m.limits.maxRequestBytes,
            "descriptor_reserve": m.limits.descriptorReserve,
        ]
    }

    private static func http(_ h: HTTPConfiguration) -> [String: Any] {
        var http: [String: Any] = [
            "address": ListenAddress(host: h.host, port: h.port).description, "token_file": optional(h.tokenFile), "events": h.events,
            "latest_fps": h.latestFramesPerSecond,
        ]
        http.merge(httpLimits(h)) { _, new in new }
        return http
    }

    private static func kinds(_ kinds: Set<RecordKind>) -> [String] { kinds.map(\.rawValue).sorted() }
    private static func mode(_ mode: UInt32) -> String { "0" + String(mode, radix: 8) }
    /// A Float as the shortest decimal that reads back as it (0.6, not 0.6000000238).
    private static func number(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
    private static func optional(_ value: Any?) -> Any { value ?? NSNull() }
}
