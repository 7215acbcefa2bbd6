import Testing

@testable import MediaIO

@Suite("Warnings: each distinct message once, with a count")
struct WarningLogTests {
    @Test func countsRepeats() {
        var log = WarningLog()
        for _ in 0..<26 { log.add("skipped a packet") }
        log.add("truncated")
        log.add("skipped a packet")
        #expect(log.lines == ["skipped a packet (27 times)", "truncated"])
        #expect(log.contains("truncated") && !log.contains("other"))
    }

    @Test("at most `capacity` distinct messages are kept")
    func bounded() {
        var log = WarningLog()
        for i in 0..<(WarningLog.capacity + 50) { log.add("warning \(i)") }
        #expect(log.lines.count == WarningLog.capacity)
        #expect(log.lines.last == "warning \(WarningLog.capacity - 1)")
    }
}
