import Sinks
import Testing

/// `ssdd subscribe`'s filter for the lines a feed sends before it has read the subscription.
@Suite struct SubscriptionReplyGateTests {
    static let frame = #"{"detections":[],"frame":3,"kind":"frame","stream":"cam","v":1}"#
    static let stream = #"{"kind":"stream","state":"lost","stream":"cam","v":1}"#
    static let subscribed = #"{"kind":"notice","reason":"subscribed","v":1}"#
    static let error = #"{"kind":"error","reason":"malformed subscription: bad","v":1}"#

    static func bytes(_ lines: String...) -> [UInt8] { Array(lines.map { $0 + "\n" }.joined().utf8) }

    @Test func linesBeforeTheReplyAreSkippedAndEverythingFromItOnPasses() throws {
        var gate = SubscriptionReplyGate(sentSubscription: true)
        #expect(try gate.pass(Self.bytes(Self.stream, Self.frame)).isEmpty)
        #expect(!gate.isOpen)
        let passed = try gate.pass(Self.bytes(Self.frame, Self.subscribed, Self.frame) + Array(#"{"kind":"#.utf8))
        #expect(String(decoding: passed, as: UTF8.self) == Self.subscribed + "\n" + Self.frame + "\n" + #"{"kind":"#)
        #expect(gate.isOpen)
        #expect(try gate.pass(Array("\"x\"}\n".utf8)) == Array("\"x\"}\n".utf8))
    }

    @Test(arguments: [1, 2, 7, 1000])
    func aReplySplitAcrossReadsOfAnySizeIsFound(chunk: Int) throws {
        var gate = SubscriptionReplyGate(sentSubscription: true)
        let input = Self.bytes(Self.stream, Self.frame, Self.error, Self.frame)
        var output: [UInt8] = []
        var start = 0
        while start < input.count {
            let end = min(start + chunk, input.count)
            output += try gate.pass(input[start..<end])
            start = end
        }
        #expect(String(decoding: output, as: UTF8.self) == Self.error + "\n" + Self.frame + "\n")
    }

    @Test func withoutASubscriptionNothingIsSkipped() throws {
        var gate = SubscriptionReplyGate(sentSubscription: false)
        #expect(gate.isOpen)
        #expect(try gate.pass(Self.bytes(Self.frame)) == Self.bytes(Self.frame))
    }

    @Test func aRecordIsNeverTakenForTheReply() throws {
        // Records put `detections` or another key before `kind`, or carry a kind other than notice/error.
        var gate = SubscriptionReplyGate(sentSubscription: true)
        #expect(try gate.pass(Self.bytes(Self.frame, Self.stream, #"{"kind":"track","reason":"x"}"#)).isEmpty)
        #expect(!gate.isOpen)
    }

    @Test func aLineBeforeTheReplyLongerThanTheBoundIsAnError() throws {
        var gate = SubscriptionReplyGate(sentSubscription: true, maxLineBytes: 64)
        #expect(try gate.pass(Self.bytes(String(repeating: "x", count: 64))).isEmpty)
        let error = #expect(throws: SubscriptionReplyGate.LineTooLong.self) { try gate.pass(Array(repeating: UInt8(ascii: "y"), count: 65)) }
        #expect(error?.description == "a line of over 64 bytes arrived before the feed's reply to the subscription")
        var split = SubscriptionReplyGate(sentSubscription: true, maxLineBytes: 64)
        #expect(try split.pass(Array(repeating: UInt8(ascii: "y"), count: 40)).isEmpty)
        #expect(throws: SubscriptionReplyGate.LineTooLong.self) { try split.pass(Array(repeating: UInt8(ascii: "y"), count: 25) + [10]) }
    }
}
