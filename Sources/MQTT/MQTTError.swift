import CMosquitto

/// The one error type of the MQTT module: a configuration value it refuses (naming the `output.mqtt.*` key), or a
/// libmosquitto call that failed (naming the call and libmosquitto's own message).
public struct MQTTError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Equatable {
        case invalidConfiguration(key: String, expected: String, actual: String)
        case library(call: String, code: Int32)
    }

    private let code: Code

    /// A configuration value is missing, out of range or unusable (an unreadable file, a malformed URL).
    public static func invalidConfiguration(key: String, expected: String, actual: String) -> MQTTError {
        MQTTError(code: .invalidConfiguration(key: key, expected: expected, actual: actual))
    }

    /// A libmosquitto call returned `code` (a `MOSQ_ERR_*` value).
    public static func library(_ call: String, code: Int32) -> MQTTError {
        MQTTError(code: .library(call: call, code: code))
    }

    /// For a configuration error: the key (`output.mqtt.url`, …), what it must be and the value found; nil otherwise.
    public var invalidConfiguration: (key: String, expected: String, actual: String)? {
        if case let .invalidConfiguration(key, expected, actual) = code { return (key, expected, actual) }
        return nil
    }

    public var description: String {
        switch code {
        case let .invalidConfiguration(key, expected, actual):
            "\(key): must be \(expected), got \(actual)"
        case let .library(call, code):
            "\(call) failed: \(MosquittoLibrary.describe(code)) (MOSQ_ERR \(code))"
        }
    }
}
