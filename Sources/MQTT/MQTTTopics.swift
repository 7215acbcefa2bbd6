import Sinks

/// The topics the MQTT output publishes to, under `topic_prefix` (`P`) and `discovery_prefix` (`D`):
///
/// | topic | payload | retained |
/// |---|---|---|
/// | `P/available` | `online`, or `offline` (clean stop, or the broker's Last Will) | yes |
/// | `P/records/<stream>/<kind>` | the record's JSON line, byte for byte, without the `\n` | no |
/// | `P/events` | Frigate-style `{"type","before","after"}` | no |
/// | `P/<stream>/<label>`, `P/<stream>/<zone>/<label>` | count of objects in view, e.g. `2` | yes |
/// | `D/sensor/<node>/<stream>_<label>_count/config`, `D/binary_sensor/<node>/<stream>_<label>_occupancy/config` | Home Assistant discovery | yes |
///
/// Stream names are already valid topic levels (letters, digits, `-`, `_`, `.`); labels and zones are made valid by
/// ``level(_:)``.
public struct MQTTTopics: Sendable, Equatable {
    public let prefix: String
    public let discoveryPrefix: String

    public init(prefix: String, discoveryPrefix: String) {
        self.prefix = prefix
        self.discoveryPrefix = discoveryPrefix
    }

    /// `P/available`.
    public var availability: String { "\(prefix)/available" }
    /// `P/events`.
    public var events: String { "\(prefix)/events" }
    /// Where Home Assistant announces that it (re)started.
    public var homeAssistantStatus: String { "\(discoveryPrefix)/status" }

    /// `P/records/<stream>/<kind>`.
    public func records(stream: String, kind: RecordKind) -> String {
        "\(prefix)/records/\(Self.level(stream))/\(kind.rawValue)"
    }

    /// `P/<stream>/<label>` or `P/<stream>/<zone>/<label>`.
    public func count(_ key: FrigateTranslator.CountKey) -> String {
        if let zone = key.zone { return "\(prefix)/\(Self.level(key.stream))/\(Self.level(zone))/\(Self.level(key.label))" }
        return "\(prefix)/\(Self.level(key.stream))/\(Self.level(key.label))"
    }

    /// `D/<component>/<node>/<object>/config`.
    public func discovery(component: String, node: String, object: String) -> String {
        "\(discoveryPrefix)/\(component)/\(node)/\(object)/config"
    }

    /// `name` as one topic level: `/`, `+`, `#` and NUL become `_` (an empty name becomes `_`).
    public static func level(_ name: String) -> String {
        guard !name.isEmpty else { return "_" }
        guard name.contains(where: { "/+#\0".contains($0) }) else { return name }
        return String(name.map { "/+#\0".contains($0) ? "_" : $0 })
    }

    /// `name` as a Home Assistant node or object id: ASCII letters, digits, `_` and `-` only (others become `_`).
    public static func identifier(_ name: String) -> String {
        let mapped = name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
                ? Character(scalar) : "_"
        }
        return mapped.isEmpty ? "_" : String(mapped)
    }
}
