/// Settings of a `UnixSocketPublisher`. Errors name the configuration file's keys (`output.socket.*`).
public struct PublisherConfiguration: Sendable, Hashable, Codable {
    /// Path of the Unix domain socket, e.g. `/run/ssdd/ssdd.sock` (at most 107 bytes; its directory at most
    /// `SocketFile.maxDirectoryBytes`, because the socket is first bound in a private directory beside it).
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
    /// Most subscribers connected at once; one more gets `{"kind":"notice","reason":"too many subscribers","v":1}`
    /// and is closed. Default 64.
    public var maxSubscribers: Int
    /// Once a client has sent the first byte of its subscription line, how long it has to send the rest (the
    /// newline). A client that sends nothing is not limited: it receives everything. Default 10 s.
    public var subscriptionTimeout: Duration
    /// Descriptors below the process's soft limit (`RLIMIT_NOFILE`) that subscribers never take: while fewer
    /// are free, new clients get `{"kind":"notice","reason":"too many open files","v":1}` and are closed.
    /// Default 64.
    public var descriptorReserve: Int

    /// Longest subscription line accepted (newline excluded).
    public static let maxSubscriptionBytes = 64 * 1024

    /// Creates a configuration with the documented defaults.
    public init(
        path: String, mode: UInt32 = 0o660, group: String? = nil, maxQueuedLines: Int = 1024, maxQueuedBytes: Int = 4 << 20,
        closeGracePeriod: Duration = .seconds(2), maxSubscribers: Int = 64, subscriptionTimeout: Duration = .seconds(10),
        descriptorReserve: Int = 64
    ) {
        self.path = path
        self.mode = mode
        self.group = group
        self.maxQueuedLines = maxQueuedLines
        self.maxQueuedBytes = maxQueuedBytes
        self.closeGracePeriod = closeGracePeriod
        self.maxSubscribers = maxSubscribers
        self.subscriptionTimeout = subscriptionTimeout
        self.descriptorReserve = descriptorReserve
    }

    /// Throws a `SinksError` naming the first invalid key.
    public func validate() throws(SinksError) {
        // sockaddr_un.sun_path holds 108 bytes including the terminating NUL, both for the path and for the
        // temporary name in the private directory beside it.
        let directoryBytes = SocketFile.directory(of: path).utf8.count
        guard !path.isEmpty, path.utf8.count <= SocketFile.maxPathBytes, directoryBytes <= SocketFile.maxDirectoryBytes else {
            throw .invalidConfiguration(
                key: "output.socket.path",
                expected: "a path of 1 to \(SocketFile.maxPathBytes) bytes in a directory of at most \(SocketFile.maxDirectoryBytes) bytes",
                actual: "\"\(path)\" (\(path.utf8.count) bytes, directory \(directoryBytes) bytes)")
        }
        guard mode <= 0o777 else {
            throw .invalidConfiguration(key: "output.socket.mode", expected: "permission bits <= 0o777", actual: "0o\(String(mode, radix: 8))")
        }
        try Self.require(maxQueuedLines, in: 1...1_000_000, key: "output.socket.max_queued_lines")
        try Self.require(maxQueuedBytes, in: 1...(1 << 30), key: "output.socket.max_queued_bytes")
        try Self.require(maxSubscribers, in: 1...100_000, key: "output.socket.max_subscribers")
        try Self.require(descriptorReserve, in: 0...1_000_000, key: "output.socket.descriptor_reserve")
        guard closeGracePeriod >= .zero, closeGracePeriod <= .seconds(3600) else {
            throw .invalidConfiguration(
                key: "output.socket.close_grace_period", expected: "a duration from 0 to 3600 s", actual: "\(closeGracePeriod)")
        }
        guard subscriptionTimeout > .zero, subscriptionTimeout <= .seconds(3600) else {
            throw .invalidConfiguration(
                key: "output.socket.subscription_timeout", expected: "a duration above 0 and at most 3600 s", actual: "\(subscriptionTimeout)")
        }
    }

    private static func require(_ value: Int, in range: ClosedRange<Int>, key: String) throws(SinksError) {
        guard range.contains(value) else {
            throw .invalidConfiguration(key: key, expected: "an integer from \(range.lowerBound) to \(range.upperBound)", actual: "\(value)")
        }
    }
}
