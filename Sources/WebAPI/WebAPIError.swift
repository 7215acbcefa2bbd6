/// The one error type of the WebAPI module. Messages say what failed, on what (a configuration key, the token file,
/// the address), and how to fix it; the underlying cause is kept.
public struct WebAPIError: Error, CustomStringConvertible {
    private enum Code {
        case invalidConfiguration(key: String, expected: String, actual: String)
        case tokenFile(path: String, problem: String)
        case cannotListen(address: String)
    }

    private let code: Code
    /// The error that caused this one, if any.
    public let underlying: (any Error)?

    /// A configuration value is out of range; `key` is the configuration file's key, e.g. `http.max_connections`.
    public static func invalidConfiguration(key: String, expected: String, actual: String) -> WebAPIError {
        WebAPIError(code: .invalidConfiguration(key: key, expected: expected, actual: actual), underlying: nil)
    }

    /// The token file (`http.token_file`) is missing, unreadable, empty or holds no usable token.
    public static func tokenFile(path: String, problem: String, underlying: (any Error)? = nil) -> WebAPIError {
        WebAPIError(code: .tokenFile(path: path, problem: problem), underlying: underlying)
    }

    /// The listener could not be bound.
    public static func cannotListen(address: String, underlying: any Error) -> WebAPIError {
        WebAPIError(code: .cannotListen(address: address), underlying: underlying)
    }

    /// For a configuration error: the key, what it must be and the value found; nil for other errors.
    public var invalidConfiguration: (key: String, expected: String, actual: String)? {
        if case let .invalidConfiguration(key, expected, actual) = code { return (key, expected, actual) }
        return nil
    }

    /// The configuration key the error is about (`http.…`), when it is about one.
    public var key: String? {
        switch code {
        case let .invalidConfiguration(key, _, _): key
        case .tokenFile: "http.token_file"
        case .cannotListen: "http.address"
        }
    }

    public var description: String {
        switch code {
        case let .invalidConfiguration(key, expected, actual):
            return "invalid HTTP configuration: \(key) must be \(expected), got \(actual)"
        case let .tokenFile(path, problem):
            return "http.token_file \(path): \(problem)"
        case let .cannotListen(address):
            let cause = underlying.map { ": \($0)" } ?? ""
            return "cannot listen on \(address) (http.address)\(cause); choose a free port or stop the process using it"
        }
    }
}
