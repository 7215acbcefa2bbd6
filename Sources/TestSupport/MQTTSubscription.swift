import Foundation

/// `mosquitto_sub` (Debian's `mosquitto-clients`) subscribed to a topic filter at QoS 1, recording every message it
/// prints as (retained, topic, payload). With a `clientID` the session is persistent (clean session off), so messages
/// published while it is away — across a broker restart — are queued for it and delivered when it reconnects
/// (`mosquitto_sub` reconnects by itself). Payloads must not contain newlines (JSON lines and counts do not).
public final class MQTTSubscription: @unchecked Sendable {
    // Unchecked: `buffer` is guarded by `lock`; the reader thread appends, the test reads.
    /// One received message.
    public struct Message: Sendable, Equatable {
        public var retained: Bool
        public var topic: String
        public var payload: String
    }

    private let process = Process()
    private let lock = NSLock()
    private var buffer = Data()

    /// Starts `mosquitto_sub -h 127.0.0.1 -p PORT -q 1 -t FILTER -F '%r %t %p'` (plus `-c -i ID` for a persistent
    /// session, `-u`/`-P` for credentials) and returns once the broker shows it subscribed (its log names the
    /// client), or after 5 s.
    public init(broker: MosquittoBroker, filter: String, clientID: String? = nil, credentials: (user: String, password: String)? = nil) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        var arguments = ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", filter, "-F", "%r %t %p"]
        let id = clientID ?? "test-sub-\(UUID().uuidString.prefix(8))"
        arguments += ["-i", id]
        if clientID != nil { arguments.append("-c") }
        if let credentials { arguments += ["-u", credentials.user, "-P", credentials.password] }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = pipe.fileHandleForReading
        Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                lock.withLock { buffer.append(data) }
            }
        }.start()
        let deadline = Date(timeIntervalSinceNow: 5)
        while Date() < deadline, !broker.log.contains(" as \(id) ") { usleep(20_000) }
    }

    deinit { stop() }

    /// Every complete message line so far.
    public var messages: [Message] {
        let text = lock.withLock { String(decoding: buffer, as: UTF8.self) }
        var lines = text.components(separatedBy: "\n")
        lines.removeLast()  // empty, or a line still being written
        return lines.compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2 else { return nil }
            return Message(retained: parts[0] == "1", topic: String(parts[1]), payload: parts.count > 2 ? String(parts[2]) : "")
        }
    }

    /// Messages on `topic`, in arrival order.
    public func payloads(on topic: String) -> [String] { messages.filter { $0.topic == topic }.map(\.payload) }

    /// Stops `mosquitto_sub`.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
