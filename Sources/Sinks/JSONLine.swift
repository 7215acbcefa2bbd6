/// One encoded record: the bytes of a single JSON object followed by `\n`, and its filter metadata.
///
/// - Important: `bytes` contains exactly one `\n`, at the end. Build lines with `JSONLineEncoder` (or
///   `init(validating:metadata:)`), which guarantees this.
public struct JSONLine: Sendable, Hashable {
    /// The complete line, newline included.
    public let bytes: [UInt8]
    /// What subscribers filter on.
    public let metadata: RecordMetadata

    /// Wraps already-encoded bytes, or returns `nil` unless they hold exactly one `\n`, at the end.
    public init?(validating bytes: [UInt8], metadata: RecordMetadata) {
        guard bytes.last == UInt8(ascii: "\n"), bytes.firstIndex(of: UInt8(ascii: "\n")) == bytes.count - 1 else { return nil }
        self.bytes = bytes
        self.metadata = metadata
    }

    /// Wraps bytes the caller has already validated.
    init(unchecked bytes: [UInt8], metadata: RecordMetadata) {
        self.bytes = bytes
        self.metadata = metadata
    }
}
