import Foundation

/// Encodes records as JSON Lines: one compact JSON object with sorted keys (stable output for diffs and
/// tests), terminated by `\n`.
///
/// JSON escapes control characters inside strings, so the only newline in a line is the final one.
public struct JSONLineEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes `record` as one line.
    /// - Throws: `SinksError.encodingFailed` when a value cannot be written as JSON (a non-finite number).
    public func encode(_ record: Record) throws(SinksError) -> JSONLine {
        try encode(record, metadata: record.metadata, record: record)
    }

    /// Encodes any `Encodable` value as one line with the given metadata (e.g. subscription errors).
    public func encode(_ value: some Encodable, metadata: RecordMetadata) throws(SinksError) -> JSONLine {
        try encode(value, metadata: metadata, record: nil)
    }

    private func encode(_ value: some Encodable, metadata: RecordMetadata, record: Record?) throws(SinksError) -> JSONLine {
        // JSONEncoder is cheap to create; a fresh one per call keeps this type trivially Sendable.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8]
        do {
            bytes = Array(try encoder.encode(value))
        } catch {
            throw .encodingFailed(kind: metadata.kind, stream: metadata.stream, underlying: error)
        }
        bytes.append(UInt8(ascii: "\n"))
        return JSONLine(unchecked: bytes, metadata: metadata, record: record)
    }
}
