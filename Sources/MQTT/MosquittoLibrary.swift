import CMosquitto

/// Process-wide set-up of libmosquitto: `mosquitto_lib_init` runs exactly once, before the first client is made
/// (the library's own documentation requires it, and it is not safe to run twice concurrently).
enum MosquittoLibrary {
    /// libmosquitto's version as `major.minor.revision`.
    static let version: String = {
        var major: Int32 = 0
        var minor: Int32 = 0
        var revision: Int32 = 0
        _ = mosquitto_lib_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }()

    /// Runs `mosquitto_lib_init` on first use (a `static let` initialiser runs once, thread-safely). The matching
    /// `mosquitto_lib_cleanup` is never called: clients may exist until the process exits.
    private static let initialized: Int32 = mosquitto_lib_init()

    /// Makes sure the library is initialised; throws if `mosquitto_lib_init` failed.
    static func ensureInitialized() throws(MQTTError) {
        let rc = initialized
        guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw .library("mosquitto_lib_init", code: rc) }
    }

    /// libmosquitto's text for a `MOSQ_ERR_*` code.
    static func describe(_ code: Int32) -> String {
        guard let text = mosquitto_strerror(code) else { return "unknown error" }
        return String(cString: text)
    }

    /// libmosquitto's text for a CONNACK return code (MQTT 3.1.1: 1 = protocol version, 2 = identifier rejected,
    /// 3 = server unavailable, 4 = bad user name or password, 5 = not authorised).
    static func describeConnack(_ code: Int32) -> String {
        guard let text = mosquitto_connack_string(code) else { return "connection refused (code \(code))" }
        return String(cString: text)
    }
}
