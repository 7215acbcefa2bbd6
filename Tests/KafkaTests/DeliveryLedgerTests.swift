import Testing

@testable import Kafka

@Suite("DeliveryLedger: every accepted record ends delivered, failed or dropped")
struct DeliveryLedgerTests {
    @Test("queue-full drops and failures are logged once per streak; close counts the rest as dropped")
    func accounting() {
        let ledger = DeliveryLedger()
        for _ in 0..<4 { ledger.willProduce() }
        #expect(ledger.produced() == 0, "record 1 queued")
        #expect(ledger.droppedOnFullQueue(), "record 2: the first drop of a streak is logged")
        #expect(!ledger.droppedOnFullQueue(), "record 3: the second is not")
        #expect(ledger.isDropping)
        #expect(ledger.produced() == 2, "record 4 queued: the streak ends and reports its size")
        #expect(!ledger.isDropping)
        #expect(ledger.report(.failed), "the first failure of a streak is logged")
        #expect(!ledger.report(.delivered))
        let middle = ledger.statistics
        #expect(middle.delivered == 1 && middle.failed == 1 && middle.dropped == 2 && middle.inFlight == 0 && middle.connected)
        for _ in 0..<3 { ledger.willProduce() }
        _ = ledger.report(.purged)
        #expect(ledger.report(.failed), "a delivery reset the failure streak")
        #expect(ledger.abandonInFlight() == 1)
        let end = ledger.statistics
        #expect(end.delivered == 1 && end.failed == 2 && end.dropped == 4 && end.inFlight == 0 && !end.connected)
    }
}
