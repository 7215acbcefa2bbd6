/// One encoded record: the bytes of a single JSON object followed by `\n`, and its filter metadata.
///
/// - Important: `bytes` contains exactly one `\n`, at the end. Build lines with `JSONLineEncoder` (or
///   `init(validating:metadata:)`), which guarantees this.
public struct JSONLine: Sendable, Hashable {
    /// The complete line, newline included.
    public let bytes: [UInt8]
    /// What subscribers filter on.
    public let metadata: RecordMetadata
    /// The record the bytes encode, when the line was made from one (`JSONLineEncoder.encode(_:)`): for outputs that
    /// derive messages of their own from records (MQTT's Frigate-style events and counts) without parsing JSON again.
    public let record: Record?

    /// Wraps already-encoded bytes, or returns `nil` unless they hold exactly one `\n`, at the end.
    public init?(validating bytes: [UInt8], metadata: RecordMetadata, record: Record? = nil) {
        guard bytes.last == UInt8(ascii: "\n"), bytes.firstIndex(of: UInt8(ascii: "\n")) == bytes.count - 1 else { return nil }
        self.bytes = bytes
        self.metadata = metadata
        self.record = record
    }

    /// Wraps bytes the caller has already validated.
    init(unchecked bytes: [UInt8], metadata: RecordMetadata, record: Record?) {
        self.bytes = bytes
        self.metadata = metadata
        self.record = record
    }

    /// The line without its final `\n`: the payload of a message-oriented output (MQTT, Kafka).
    public var payload: ArraySlice<UInt8> { bytes.dropLast() }
}
