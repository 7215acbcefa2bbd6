import Foundation

extension MQTTOutputConfiguration {
    /// The largest password file read.
    static let maxPasswordFileBytes = 4096
    /// The largest CA file read.
    static let maxCAFileBytes = 4 << 20

    /// Throws an ``MQTTError`` naming the first invalid key (`output.mqtt.url`, `output.mqtt.password_file`, …):
    /// the URL must parse, the password and CA files must be readable (and the CA file hold a PEM certificate),
    /// topic prefixes must be valid MQTT topic levels without wildcards, numbers in range.
    public func validate() throws(MQTTError) {
        _ = try resolvedConnection()
    }

    /// Everything the client needs to connect, read and checked: the parsed URL, the user name and the password
    /// (from `password_file`, else from the URL).
    func resolvedConnection() throws(MQTTError) -> MQTTConnectionSettings {
        let broker = try MQTTBrokerURL(parsing: url)
        try Self.requireTopicLevels(topicPrefix, key: "output.mqtt.topic_prefix")
        try Self.requireTopicLevels(discoveryPrefix, key: "output.mqtt.discovery_prefix")
        guard !clientID.isEmpty, clientID.utf8.count <= 256, !clientID.contains("\0") else {
            throw .invalidConfiguration(key: "output.mqtt.client_id", expected: "1 to 256 bytes of text", actual: "'\(clientID)'")
        }
        try Self.require(qos, in: 0...2, key: "output.mqtt.qos")
        try Self.require(maxQueued, in: 1...Self.maxQueuedLimit, key: "output.mqtt.max_queued")
        try Self.require(keepAlive, in: 5...3600, key: "output.mqtt.keepalive")
        guard !kinds.isEmpty else {
            throw .invalidConfiguration(key: "output.mqtt.kinds", expected: "at least one record kind", actual: "[]")
        }
        guard reconnectInitial >= 0.01, reconnectInitial <= 3600 else {
            throw .invalidConfiguration(key: "output.mqtt.reconnect_initial", expected: "0.01 to 3600 seconds", actual: "\(reconnectInitial)")
        }
        guard reconnectMax >= reconnectInitial, reconnectMax <= 86_400 else {
            throw .invalidConfiguration(
                key: "output.mqtt.reconnect_max", expected: "reconnect_initial (\(reconnectInitial)) to 86400 seconds", actual: "\(reconnectMax)")
        }
        guard closeTimeout >= 0, closeTimeout <= 60 else {
            throw .invalidConfiguration(key: "output.mqtt.close_timeout", expected: "0 to 60 seconds", actual: "\(closeTimeout)")
        }
        if username != nil, broker.user != nil {
            throw .invalidConfiguration(
                key: "output.mqtt.username", expected: "given once (the URL names a user too)", actual: "both url and username")
        }
        let user = username ?? broker.user
        if let username, username.isEmpty || username.utf8.count > 65535 {
            throw .invalidConfiguration(key: "output.mqtt.username", expected: "1 to 65535 bytes", actual: "\(username.utf8.count) bytes")
        }
        var password = broker.password
        if let passwordFile {
            guard broker.password == nil else {
                throw .invalidConfiguration(
                    key: "output.mqtt.password_file", expected: "given once (the URL holds a password too)", actual: "both url and password_file")
            }
            guard user != nil else {
                throw .invalidConfiguration(key: "output.mqtt.password_file", expected: "used with username", actual: "no username")
            }
            password = try Self.readPassword(passwordFile)
        }
        if broker.usesTLS {
            guard let caFile else {
                throw .invalidConfiguration(
                    key: "output.mqtt.ca_file", expected: "set for an mqtts:// broker (PEM CA certificates)", actual: "nothing")
            }
            try Self.checkCAFile(caFile)
        } else if caFile != nil {
            throw .invalidConfiguration(key: "output.mqtt.ca_file", expected: "used with an mqtts:// URL only", actual: "an mqtt:// URL")
        }
        return MQTTConnectionSettings(broker: broker, user: user, password: password, caFile: broker.usesTLS ? caFile : nil)
    }

    /// The first line of the password file, without its line break.
    private static func readPassword(_ path: String) throws(MQTTError) -> String {
        let key = "output.mqtt.password_file"
        let data = try readSmallFile(path, key: key, limit: maxPasswordFileBytes, what: "a readable file holding the password")
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidConfiguration(key: key, expected: "UTF-8 text", actual: "'\(path)' (not UTF-8)")
        }
        let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let password = firstLine.hasSuffix("\r") ? String(firstLine.dropLast()) : firstLine
        guard !password.isEmpty else {
            throw .invalidConfiguration(key: key, expected: "a password on the first line", actual: "'\(path)' (empty)")
        }
        return password
    }

    /// A PEM file with at least one certificate (the TLS handshake checks the rest).
    private static func checkCAFile(_ path: String) throws(MQTTError) {
        let key = "output.mqtt.ca_file"
        let data = try readSmallFile(path, key: key, limit: maxCAFileBytes, what: "a readable PEM file of CA certificates")
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw .invalidConfiguration(key: key, expected: "a PEM file of CA certificates", actual: "'\(path)' (no BEGIN CERTIFICATE block)")
        }
    }

    private static func readSmallFile(_ path: String, key: String, limit: Int, what: String) throws(MQTTError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .invalidConfiguration(key: key, expected: what, actual: "'\(path)' (no such file)")
        }
        guard !isDirectory.boolValue else { throw .invalidConfiguration(key: key, expected: what, actual: "'\(path)' (a directory)") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .invalidConfiguration(key: key, expected: what, actual: "'\(path)' (cannot be read: permission denied?)")
        }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: limit + 1) else {
            throw .invalidConfiguration(key: key, expected: what, actual: "'\(path)' (read failed)")
        }
        guard data.count <= limit else { throw .invalidConfiguration(key: key, expected: "at most \(limit) bytes", actual: "'\(path)' (larger)") }
        return data
    }

    private static func require(_ value: Int, in range: ClosedRange<Int>, key: String) throws(MQTTError) {
        guard range.contains(value) else {
            throw .invalidConfiguration(key: key, expected: "an integer from \(range.lowerBound) to \(range.upperBound)", actual: "\(value)")
        }
    }

    /// Topic levels to publish under: non-empty, at most 256 bytes, no wildcards (`+`, `#`), no NUL, no empty level.
    private static func requireTopicLevels(_ prefix: String, key: String) throws(MQTTError) {
        let levels = prefix.split(separator: "/", omittingEmptySubsequences: false)
        guard !prefix.isEmpty, prefix.utf8.count <= 256, !prefix.contains(where: { "+#\0".contains($0) }),
            !levels.contains(where: \.isEmpty)
        else {
            throw .invalidConfiguration(
                key: key, expected: "topic levels separated by '/', without '+', '#' or empty levels", actual: "'\(prefix)'")
        }
    }
}

/// What the client connects with, after ``MQTTOutputConfiguration/validate()``'s checks.
struct MQTTConnectionSettings: Sendable {
    var broker: MQTTBrokerURL
    var user: String?
    /// Never logged.
    var password: String?
    var caFile: String?
}
