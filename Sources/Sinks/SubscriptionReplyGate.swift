/// The client side of a feed subscription: drops the lines that arrive before the feed's answer to the
/// subscription line.
///
/// A feed sends every record to a new connection until it has read the client's subscription line (see
/// `SubscriberHandler`), so records published between `connect` and that line arrive unfiltered. A client that
/// sent a subscription skips them and passes on everything from the first control line on: the `subscribed`
/// notice, an `error` line, or a notice that ends the connection (`shutdown`, `too many subscribers`).
public struct SubscriptionReplyGate: Sendable {
    /// Bytes of one line before the reply beyond which the peer is not taken for a feed.
    public static let defaultMaxLineBytes = 16 << 20

    /// A line before the reply longer than the bound: the peer is not a feed (or a broken one).
    public struct LineTooLong: Error, CustomStringConvertible {
        public let limit: Int
        public var description: String { "a line of over \(limit) bytes arrived before the feed's reply to the subscription" }
    }

    private var open: Bool
    private var partialLine: [UInt8] = []
    private let maxLineBytes: Int

    /// - Parameters:
    ///   - sentSubscription: whether the client sent a subscription line; without one nothing is skipped.
    ///   - maxLineBytes: the longest line held while waiting for the reply (held lines are skipped, not printed).
    public init(sentSubscription: Bool, maxLineBytes: Int = defaultMaxLineBytes) {
        open = !sentSubscription
        self.maxLineBytes = maxLineBytes
    }

    /// Whether the feed's reply has arrived (everything is passed on from now on).
    public var isOpen: Bool { open }

    /// Returns the part of `bytes` to pass on: nothing before the reply, the reply line and everything after it.
    /// - Throws: ``LineTooLong`` when a line before the reply exceeds `maxLineBytes`.
    public mutating func pass(_ bytes: some Collection<UInt8>) throws(LineTooLong) -> [UInt8] {
        if open { return Array(bytes) }
        var bytes = bytes[...]
        while let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            try hold(bytes[..<newline])
            bytes = bytes[bytes.index(after: newline)...]
            let line = partialLine
            partialLine.removeAll(keepingCapacity: true)
            if Self.isControlLine(line) {
                open = true
                return line + [UInt8(ascii: "\n")] + Array(bytes)
            }
        }
        try hold(bytes)
        return []
    }

    /// Appends `part` to the line being read, within `maxLineBytes`.
    private mutating func hold(_ part: some Collection<UInt8>) throws(LineTooLong) {
        guard partialLine.count + part.count <= maxLineBytes else { throw LineTooLong(limit: maxLineBytes) }
        partialLine.append(contentsOf: part)
    }

    /// `{"kind":"notice",…}` or `{"kind":"error",…}`: the feed encodes both with `kind` first (sorted keys).
    static func isControlLine(_ line: [UInt8]) -> Bool {
        line.starts(with: Self.noticePrefix) || line.starts(with: Self.errorPrefix)
    }

    private static let noticePrefix = Array(#"{"kind":"notice""#.utf8)
    private static let errorPrefix = Array(#"{"kind":"error""#.utf8)
}
