/// The one error type of the Tracking module. Only configuration validation throws; tracking itself never fails.
public struct TrackingError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case invalidConfiguration(key: String, expected: String, actual: String)
    }

    private let code: Code

    /// A `TrackerConfiguration` field is out of range.
    /// - Parameters:
    ///   - key: the configuration key, e.g. `"tracker.maxAge"`.
    ///   - expected: what the key must be, e.g. `"an integer >= 0"`.
    ///   - actual: the value found.
    public static func invalidConfiguration(key: String, expected: String, actual: String) -> TrackingError {
        TrackingError(code: .invalidConfiguration(key: key, expected: expected, actual: actual))
    }

    /// The key, what it must be and the value found.
    public var invalidConfiguration: (key: String, expected: String, actual: String) {
        switch code {
        case let .invalidConfiguration(key, expected, actual): (key, expected, actual)
        }
    }

    public var description: String {
        switch code {
        case let .invalidConfiguration(key, expected, actual):
            return "invalid tracker configuration: \(key) must be \(expected), got \(actual); fix the value in the [tracker] section"
        }
    }
}
