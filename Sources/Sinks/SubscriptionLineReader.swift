import NIOCore

/// Collects a subscriber's input with bounded memory: one subscription line of at most `maxLineBytes` (newline
/// excluded), then nothing but a little whitespace. Anything else is a protocol violation with a reason meant for
/// the client.
struct SubscriptionLineReader {
    /// What the input seen so far amounts to.
    enum Outcome: Equatable {
        /// The line is not complete yet (or only tolerated whitespace followed it).
        case needMore
        /// The complete subscription line, without its newline.
        case line([UInt8])
        /// The client broke the protocol; the reason is sent to it.
        case rejected(String)
    }

    /// Longest subscription line accepted.
    let maxLineBytes: Int
    /// Whitespace (e.g. a `\r\n` or a keep-alive newline) tolerated after the line, in total.
    let maxTrailingBytes: Int
    private var pending: [UInt8] = []
    private var lineComplete = false
    private var trailingBytes = 0

    init(maxLineBytes: Int, maxTrailingBytes: Int = 1024) {
        self.maxLineBytes = maxLineBytes
        self.maxTrailingBytes = maxTrailingBytes
    }

    /// Whether part of a line has arrived but not its newline.
    var hasPartialLine: Bool { !lineComplete && !pending.isEmpty }

    /// Takes the next chunk of input.
    mutating func consume(_ chunk: ByteBuffer) -> Outcome {
        let bytes = chunk.readableBytesView
        if lineComplete { return acceptTrailing(bytes) }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            guard pending.count + bytes.count <= maxLineBytes else { return .rejected(tooLong) }
            pending += bytes
            return .needMore
        }
        guard pending.count + (newline - bytes.startIndex) <= maxLineBytes else { return .rejected(tooLong) }
        var line = pending
        line += bytes[..<newline]
        pending = []
        lineComplete = true
        if case let .rejected(reason) = acceptTrailing(bytes[(newline + 1)...]) { return .rejected(reason) }
        return .line(line)
    }

    private var tooLong: String { "malformed subscription: line longer than \(maxLineBytes) bytes" }

    private mutating func acceptTrailing(_ bytes: ByteBufferView) -> Outcome {
        let whitespace: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        trailingBytes += bytes.count
        guard trailingBytes <= maxTrailingBytes, bytes.allSatisfy(whitespace.contains) else {
            return .rejected("unexpected input after the subscription line; send one line, then only read")
        }
        return .needMore
    }
}
