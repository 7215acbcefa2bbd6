/// Settings of a `JSONLinesFileSink`.
public struct FileSinkConfiguration: Sendable, Hashable, Codable {
    /// Path of the live file, e.g. `/var/log/ssdd/cam1.jsonl`. Its directory is not created by the sink.
    public var path: String
    /// Rotate before a write would make the file larger than this many bytes; `nil` disables size rotation.
    /// A single line larger than the limit gets a file of its own. Default 64 MiB.
    public var maxFileBytes: Int?
    /// Rotate before a write once the live file has been open this long; `nil` disables time rotation.
    public var rotationInterval: Duration?
    /// Rotated files kept: `path.1` (newest) … `path.N` (oldest); older ones are overwritten. Default 10.
    public var keepRotatedFiles: Int
    /// Lines kept in memory while the file cannot be written; when full, the oldest are dropped (and counted).
    /// Default 10 000.
    public var retryBufferLines: Int
    /// Permission bits of files the sink creates (set exactly, whatever the umask). Default 0o640: the owner writes,
    /// the group reads, others nothing (detections say who was where).
    public var fileMode: UInt32
    /// Group given to files the sink creates (a name or numeric gid); nil keeps the process's group.
    public var group: String?

    /// Creates a configuration with the documented defaults.
    public init(
        path: String, maxFileBytes: Int? = 64 << 20, rotationInterval: Duration? = nil, keepRotatedFiles: Int = 10,
        retryBufferLines: Int = 10_000, fileMode: UInt32 = 0o640, group: String? = nil
    ) {
        self.group = group
        self.path = path
        self.maxFileBytes = maxFileBytes
        self.rotationInterval = rotationInterval
        self.keepRotatedFiles = keepRotatedFiles
        self.retryBufferLines = retryBufferLines
        self.fileMode = fileMode
    }

    /// Throws a `SinksError` naming the first invalid key.
    public func validate() throws(SinksError) {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw .invalidConfiguration(key: "sinks.file.path", expected: "a file path", actual: "\"\(path)\"")
        }
        if let maxFileBytes, maxFileBytes < 1 {
            throw .invalidConfiguration(key: "sinks.file.maxFileBytes", expected: "a positive byte count", actual: "\(maxFileBytes)")
        }
        if let rotationInterval, rotationInterval <= .zero {
            throw .invalidConfiguration(key: "sinks.file.rotationInterval", expected: "a positive duration", actual: "\(rotationInterval)")
        }
        guard keepRotatedFiles >= 1 else {
            throw .invalidConfiguration(key: "sinks.file.keepRotatedFiles", expected: "an integer >= 1", actual: "\(keepRotatedFiles)")
        }
        guard retryBufferLines >= 1 else {
            throw .invalidConfiguration(key: "sinks.file.retryBufferLines", expected: "an integer >= 1", actual: "\(retryBufferLines)")
        }
        guard fileMode <= 0o777 else {
            throw .invalidConfiguration(key: "sinks.file.fileMode", expected: "permission bits <= 0o777", actual: "0o\(String(fileMode, radix: 8))")
        }
        if let group, group.isEmpty {
            throw .invalidConfiguration(key: "sinks.file.group", expected: "a group name or numeric id", actual: "\"\"")
        }
    }
}

/// Counters of a `JSONLinesFileSink`, for metrics.
public struct FileSinkStatistics: Sendable, Hashable {
    /// Lines written to a file.
    public var linesWritten = 0
    /// Bytes written to a file.
    public var bytesWritten = 0
    /// Failed attempts to open, write or rotate (each retry of a failing file counts again).
    public var failures = 0
    /// Lines dropped because the retry buffer overflowed or the sink was closed with lines pending.
    public var linesDropped = 0
    /// Lines waiting in the retry buffer.
    public var pendingLines = 0
    /// Completed rotations.
    public var rotations = 0
    /// Whether the last attempt to write failed (the sink is retrying).
    public var isFailing = false

    /// Creates zeroed statistics.
    public init() {}
}
