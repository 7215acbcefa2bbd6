import Foundation

/// A broker address parsed from `output.mqtt.url`: `mqtt://HOST[:PORT]` (plain TCP, default port 1883) or
/// `mqtts://HOST[:PORT]` (TLS, default port 8883), optionally with `USER[:PASSWORD]@` before the host.
public struct MQTTBrokerURL: Sendable, Equatable {
    /// Host name or address (an IPv6 address without its brackets).
    public var host: String
    public var port: Int
    /// Whether the connection uses TLS (`mqtts://`).
    public var usesTLS: Bool
    /// User name given in the URL, if any.
    public var user: String?
    /// Password given in the URL, if any. Never logged: ``redacted`` leaves it (and the user) out.
    public var password: String?

    /// Parses `text`; throws an error naming `output.mqtt.url` unless it is a complete `mqtt://` or `mqtts://` URL
    /// with a host, an optional port in 1…65535, and nothing after the authority but an optional `/`.
    public init(parsing text: String) throws(MQTTError) {
        func invalid(_ why: String) -> MQTTError {
            .invalidConfiguration(
                key: "output.mqtt.url", expected: "mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (\(why))", actual: "'\(Self.redact(text))'")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw invalid("not a URL")
        }
        switch scheme {
        case "mqtt": usesTLS = false
        case "mqtts": usesTLS = true
        default: throw invalid("unsupported scheme '\(scheme)'")
        }
        guard var host = components.host, !host.isEmpty else { throw invalid("no host") }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, host.utf8.count <= 253 else { throw invalid("the host is empty or longer than 253 bytes") }
        self.host = host
        if let port = components.port {
            guard (1...65535).contains(port) else { throw invalid("port \(port) is not in 1…65535") }
            self.port = port
        } else {
            self.port = usesTLS ? 8883 : 1883
        }
        guard components.path.isEmpty || components.path == "/" else { throw invalid("a path is not allowed") }
        guard components.query == nil, components.fragment == nil else { throw invalid("a query or fragment is not allowed") }
        user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        password = components.password
        if password != nil, user == nil { throw invalid("a password needs a user name") }
    }

    /// The URL without credentials, for logs and the output's metrics name: `mqtt://host:port`.
    public var redacted: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(usesTLS ? "mqtts" : "mqtt")://\(shownHost):\(port)"
    }

    /// `text` with any `user:password@` part removed (for messages about a URL that did not parse).
    static func redact(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<schemeEnd.upperBound]) + "…@" + String(rest[rest.index(after: at)...])
    }
}
