import Foundation

/// One message read back from a topic.
public struct ConsumedMessage: Sendable, Equatable {
    public var partition: Int
    public var offset: Int
    /// The key as text, nil for a null key.
    public var key: String?
    /// Header name/value pairs in order.
    public var headers: [(name: String, value: String)]
    /// The value as text.
    public var payload: String

    public static func == (a: Self, b: Self) -> Bool {
        a.partition == b.partition && a.offset == b.offset && a.key == b.key && a.payload == b.payload
            && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
    }

    /// The value of header `name`, if present.
    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
}

/// Reads a whole topic with Debian's `kcat` (a librdkafka consumer): `kcat -C -b BOOTSTRAPS -t TOPIC -o beginning -e -J`,
/// every partition from its first offset to its end.
public enum KafkaTopicReader {
    /// The path of kcat (`scripts/setup.sh` installs it).
    public static let kcat = "/usr/bin/kcat"

    /// Every message of `topic`, in partition then offset order. Throws when kcat fails or prints something else.
    public static func readAll(bootstraps: String, topic: String) throws -> [ConsumedMessage] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kcat)
        process.arguments = ["-C", "-b", bootstraps, "-t", topic, "-o", "beginning", "-e", "-J", "-q", "-m", "30"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw MockKafkaError("kcat exited \(process.terminationStatus): \(errorText)") }
        var messages: [ConsumedMessage] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let partition = object["partition"] as? Int, let offset = object["offset"] as? Int, let payload = object["payload"] as? String
            else { throw MockKafkaError("unexpected kcat line: \(line)") }
            let flat = (object["headers"] as? [String]) ?? []
            let headers = stride(from: 0, to: flat.count - 1, by: 2).map { (name: flat[$0], value: flat[$0 + 1]) }
            messages.append(
                ConsumedMessage(partition: partition, offset: offset, key: object["key"] as? String, headers: headers, payload: payload))
        }
        return messages.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }
}
