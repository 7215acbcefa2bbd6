/// Settings of a `UnixSocketPublisher`.
public struct PublisherConfiguration: Sendable, Hashable, Codable {
    /// Path of the Unix domain socket, e.g. `/run/ssdd/ssdd.sock` (at most 107 bytes).
    public var path: String
    /// Permission bits of the socket file. Default 0o660 (owner and group may connect).
    public var mode: UInt32
    /// Group owning the socket file (a name or a numeric gid), or `nil` to keep the process's group.
    public var group: String?
    /// Lines a subscriber may have queued (not yet taken by the kernel) before it is disconnected as a slow
    /// consumer. Default 1024.
    public var maxQueuedLines: Int
    /// Bytes a subscriber may have queued before it is disconnected as a slow consumer. Default 4 MiB.
    public var maxQueuedBytes: Int
    /// How long a disconnected or shut-down subscriber gets to take its final notice before the connection
    /// is closed anyway. Default 2 s.
    public var closeGracePeriod: Duration

    /// Creates a configuration with the documented defaults.
    public init(
        path: String, mode: UInt32 = 0o660, group: String? = nil, maxQueuedLines: Int = 1024, maxQueuedBytes: Int = 4 << 20,
        closeGracePeriod: Duration = .seconds(2)
    ) {
        self.path = path
        self.mode = mode
        self.group = group
        self.maxQueuedLines = maxQueuedLines
        self.maxQueuedBytes = maxQueuedBytes
        self.closeGracePeriod = closeGracePeriod
    }

    /// Throws a `SinksError` naming the first invalid key.
    public func validate() throws(SinksError) {
        // sockaddr_un.sun_path holds 108 bytes including the terminating NUL; we also bind "<path>.new".
        guard !path.isEmpty, path.utf8.count + 4 <= 107 else {
            throw .invalidConfiguration(key: "sinks.socket.path", expected: "a path of 1 to 103 bytes", actual: "\"\(path)\"")
        }
        guard mode <= 0o777 else {
            throw .invalidConfiguration(key: "sinks.socket.mode", expected: "permission bits <= 0o777", actual: "0o\(String(mode, radix: 8))")
        }
        guard maxQueuedLines >= 1 else {
            throw .invalidConfiguration(key: "sinks.socket.maxQueuedLines", expected: "an integer >= 1", actual: "\(maxQueuedLines)")
        }
        guard maxQueuedBytes >= 1 else {
            throw .invalidConfiguration(key: "sinks.socket.maxQueuedBytes", expected: "an integer >= 1", actual: "\(maxQueuedBytes)")
        }
        guard closeGracePeriod >= .zero else {
            throw .invalidConfiguration(key: "sinks.socket.closeGracePeriod", expected: "a duration >= 0", actual: "\(closeGracePeriod)")
        }
    }
}
