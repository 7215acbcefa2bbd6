/// The client side of a feed subscription: drops the lines that arrive before the feed's answer to the
/// subscription line.
///
/// A feed sends every record to a new connection until it has read the client's subscription line (see
/// `SubscriberHandler`), so records published between `connect` and that line arrive unfiltered. A client that
/// sent a subscription skips them and passes on everything from the first control line on: the `subscribed`
/// notice, an `error` line, or a notice that ends the connection (`shutdown`, `too many subscribers`).
public struct SubscriptionReplyGate: Sendable {
    private var open: Bool
    private var partialLine: [UInt8] = []

    /// - Parameter sentSubscription: whether the client sent a subscription line; without one nothing is skipped.
    public init(sentSubscription: Bool) {
        open = !sentSubscription
    }

    /// Whether the feed's reply has arrived (everything is passed on from now on).
    public var isOpen: Bool { open }

    /// Returns the part of `bytes` to pass on: nothing before the reply, the reply line and everything after it.
    public mutating func pass(_ bytes: some Collection<UInt8>) -> [UInt8] {
        if open { return Array(bytes) }
        var bytes = bytes[...]
        while let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            partialLine.append(contentsOf: bytes[..<newline])
            bytes = bytes[bytes.index(after: newline)...]
            let line = partialLine
            partialLine.removeAll(keepingCapacity: true)
            if Self.isControlLine(line) {
                open = true
                return line + [UInt8(ascii: "\n")] + Array(bytes)
            }
        }
        partialLine.append(contentsOf: bytes)
        return []
    }

    /// `{"kind":"notice",…}` or `{"kind":"error",…}`: the feed encodes both with `kind` first (sorted keys).
    static func isControlLine(_ line: [UInt8]) -> Bool {
        line.starts(with: Self.noticePrefix) || line.starts(with: Self.errorPrefix)
    }

    private static let noticePrefix = Array(#"{"kind":"notice""#.utf8)
    private static let errorPrefix = Array(#"{"kind":"error""#.utf8)
}
