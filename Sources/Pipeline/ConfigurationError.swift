/// A configuration problem, naming the key (e.g. `streams[1].fps`) and what was expected.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Dotted path of the offending key; empty for file-level problems.
    public let key: String
    public let message: String
    /// The configuration file.
    public let file: String

    public init(file: String, key: String, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        key.isEmpty ? "\(file): \(message)" : "\(file): \(key): \(message)"
    }
}
