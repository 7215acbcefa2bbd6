import Sinks
import Testing

/// `ssdd subscribe`'s filter for the lines a feed sends before it has read the subscription.
@Suite struct SubscriptionReplyGateTests {
    static let frame = #"{"detections":[],"frame":3,"kind":"frame","stream":"cam","v":1}"#
    static let stream = #"{"kind":"stream","state":"lost","stream":"cam","v":1}"#
    static let subscribed = #"{"kind":"notice","reason":"subscribed","v":1}"#
    static let error = #"{"kind":"error","reason":"malformed subscription: bad","v":1}"#

    static func bytes(_ lines: String...) -> [UInt8] { Array(lines.map { $0 + "\n" }.joined().utf8) }

    @Test func linesBeforeTheReplyAreSkippedAndEverythingFromItOnPasses() {
        var gate = SubscriptionReplyGate(sentSubscription: true)
        #expect(gate.pass(Self.bytes(Self.stream, Self.frame)).isEmpty)
        #expect(!gate.isOpen)
        let passed = gate.pass(Self.bytes(Self.frame, Self.subscribed, Self.frame) + Array(#"{"kind":"#.utf8))
        #expect(String(decoding: passed, as: UTF8.self) == Self.subscribed + "\n" + Self.frame + "\n" + #"{"kind":"#)
        #expect(gate.isOpen)
        #expect(gate.pass(Array("\"x\"}\n".utf8)) == Array("\"x\"}\n".utf8))
    }

    @Test(arguments: [1, 2, 7, 1000])
    func aReplySplitAcrossReadsOfAnySizeIsFound(chunk: Int) {
        var gate = SubscriptionReplyGate(sentSubscription: true)
        let input = Self.bytes(Self.stream, Self.frame, Self.error, Self.frame)
        var output: [UInt8] = []
        var start = 0
        while start < input.count {
            let end = min(start + chunk, input.count)
            output += gate.pass(input[start..<end])
            start = end
        }
        #expect(String(decoding: output, as: UTF8.self) == Self.error + "\n" + Self.frame + "\n")
    }

    @Test func withoutASubscriptionNothingIsSkipped() {
        var gate = SubscriptionReplyGate(sentSubscription: false)
        #expect(gate.isOpen)
        #expect(gate.pass(Self.bytes(Self.frame)) == Self.bytes(Self.frame))
    }

    @Test func aRecordIsNeverTakenForTheReply() {
        // Records put `detections` or another key before `kind`, or carry a kind other than notice/error.
        var gate = SubscriptionReplyGate(sentSubscription: true)
        #expect(gate.pass(Self.bytes(Self.frame, Self.stream, #"{"kind":"track","reason":"x"}"#)).isEmpty)
        #expect(!gate.isOpen)
    }
}
