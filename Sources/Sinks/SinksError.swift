/// The one error type of the Sinks module. Messages say what failed, on what, and how to fix it; the
/// underlying cause (an errno or encoder error) is kept.
public struct SinksError: Error, CustomStringConvertible {
    private enum Code {
        case encodingFailed(kind: RecordKind, stream: String?)
        case systemCall(call: String, path: String, errno: Int32)
        case invalidConfiguration(key: String, expected: String, actual: String)
        case socketInUse(path: String)
        case notASocket(path: String)
        case unknownGroup(name: String)
        case notARegularFile(path: String, kind: String)
    }

    private let code: Code
    /// The error that caused this one, if any.
    public let underlying: (any Error)?

    /// A record could not be encoded as JSON.
    public static func encodingFailed(kind: RecordKind, stream: String?, underlying: any Error) -> SinksError {
        SinksError(code: .encodingFailed(kind: kind, stream: stream), underlying: underlying)
    }

    /// A system call failed on `path` with `errno`.
    public static func systemCall(_ call: String, path: String, errno: Int32) -> SinksError {
        SinksError(code: .systemCall(call: call, path: path, errno: errno), underlying: nil)
    }

    /// A configuration value is out of range.
    public static func invalidConfiguration(key: String, expected: String, actual: String) -> SinksError {
        SinksError(code: .invalidConfiguration(key: key, expected: expected, actual: actual), underlying: nil)
    }

    /// Another process accepts connections on the socket path.
    public static func socketInUse(path: String) -> SinksError { SinksError(code: .socketInUse(path: path), underlying: nil) }

    /// The socket path exists and is not a socket.
    public static func notASocket(path: String) -> SinksError { SinksError(code: .notASocket(path: path), underlying: nil) }

    /// The configured socket group does not exist.
    public static func unknownGroup(_ name: String) -> SinksError { SinksError(code: .unknownGroup(name: name), underlying: nil) }

    /// An output path names something other than a regular file (a directory, FIFO, socket or device), which a
    /// JSON Lines file output refuses: a FIFO without a reader would block it.
    public static func notARegularFile(path: String, kind: String) -> SinksError {
        SinksError(code: .notARegularFile(path: path, kind: kind), underlying: nil)
    }

    /// For a configuration error: the key, what it must be and the value found; nil for other errors.
    public var invalidConfiguration: (key: String, expected: String, actual: String)? {
        if case let .invalidConfiguration(key, expected, actual) = code { return (key, expected, actual) }
        return nil
    }

    /// The errno of a failed system call, if that is what this error is.
    public var errno: Int32? {
        if case let .systemCall(_, _, errno) = code { return errno }
        return nil
    }

    public var description: String {
        switch code {
        case let .encodingFailed(kind, stream):
            let cause = underlying.map { "\($0)" } ?? "unknown cause"
            return "cannot encode \(kind.rawValue) record\(stream.map { " of stream \($0)" } ?? "") as JSON: \(cause)"
        case let .systemCall(call, path, errno):
            return "\(call)(\(path)) failed: \(SystemError.describe(errno)) (errno \(errno))"
        case let .invalidConfiguration(key, expected, actual):
            return "invalid sink configuration: \(key) must be \(expected), got \(actual)"
        case let .socketInUse(path):
            return "another process is serving on \(path); stop it or choose another socket path"
        case let .notASocket(path):
            return "\(path) exists and is not a socket; remove it or choose another socket path"
        case let .unknownGroup(name):
            return "group \(name) does not exist; create it or change the group setting"
        case let .notARegularFile(path, kind):
            return "\(path) is a \(kind), not a regular file; a file output needs a file path (use the Unix socket to stream lines to a reader)"
        }
    }
}
