import Foundation

/// `mosquitto_sub` (Debian's `mosquitto-clients`) subscribed to a topic filter at QoS 1, recording every message it
/// prints as (retained, topic, payload). With a `clientID` the session is persistent (clean session off), so messages
/// published while it is away — across a broker restart — are queued for it and delivered when it reconnects
/// (`mosquitto_sub` reconnects by itself). Payloads must not contain newlines (JSON lines and counts do not). The
/// process is killed when the value goes away.
public final class MQTTSubscription: Sendable {
    /// One received message.
    public struct Message: Sendable, Equatable {
        public var retained: Bool
        public var topic: String
        public var payload: String

        public init(retained: Bool, topic: String, payload: String) {
            self.retained = retained
            self.topic = topic
            self.payload = payload
        }
    }

    /// What the reader thread has read so far; the thread holds this, not the subscription, so the subscription can
    /// go away (and kill `mosquitto_sub`, which ends the thread).
    private final class Output: @unchecked Sendable {
        // Unchecked: `data` is guarded by `lock`.
        let lock = NSLock()
        var data = Data()
    }

    private let process: ChildProcess
    private let output = Output()

    /// Starts `mosquitto_sub -h 127.0.0.1 -p PORT -q 1 -t FILTER -F '%r %t %p'` (plus `-c -i ID` for a persistent
    /// session, `-u`/`-P` for credentials) and returns once the broker's log shows the subscription, or after 5 s.
    public init(broker: MosquittoBroker, filter: String, clientID: String? = nil, credentials: (user: String, password: String)? = nil) throws {
        var arguments = ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", filter, "-F", "%r %t %p"]
        let id = clientID ?? "test-sub-\(UUID().uuidString.prefix(8))"
        arguments += ["-i", id]
        if clientID != nil { arguments.append("-c") }
        if let credentials { arguments += ["-u", credentials.user, "-P", credentials.password] }
        let pipe = Pipe()
        process = try ChildProcess("/usr/bin/mosquitto_sub", arguments, stdout: pipe.fileHandleForWriting.fileDescriptor)
        try pipe.fileHandleForWriting.close()
        let handle = pipe.fileHandleForReading
        Thread { [output] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                output.lock.withLock { output.data.append(data) }
            }
        }.start()
        // mosquitto logs each subscription as "<time>: <client id> <qos> <filter>".
        let deadline = Date(timeIntervalSinceNow: 5)
        while Date() < deadline, !broker.log.contains(": \(id) 1 \(filter)\n") { usleep(20_000) }
    }

    deinit { stop() }

    /// Every complete message line so far.
    public var messages: [Message] {
        let text = output.lock.withLock { String(decoding: output.data, as: UTF8.self) }
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

    /// Stops `mosquitto_sub` (SIGKILL: it keeps nothing worth a clean exit).
    public func stop() {
        process.send(SIGKILL)
        process.waitForExit()
    }
}
