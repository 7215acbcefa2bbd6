import Sinks
import Testing

@testable import MQTT

@Suite("Delivery ledger: every record ends delivered, failed or dropped, within the bound")
struct DeliveryLedgerTests {
    @Test("the bound drops new messages, logs once per streak, and recovers at half")
    func bound() {
        var ledger = DeliveryLedger(capacity: 4)
        for mid in Int32(1)...4 {
            let admitted = ledger.admit(isRecord: true).admit
            #expect(admitted)
            ledger.accepted(mid: mid, isRecord: true, qos: 1)
        }
        let first = ledger.admit(isRecord: true)
        let second = ledger.admit(isRecord: true)
        let event = ledger.admit(isRecord: false)
        #expect(!first.admit && first.startsOverflow)
        #expect(!second.admit && !second.startsOverflow)
        #expect(!event.admit && !event.startsOverflow)
        #expect(ledger.statistics.dropped == 2 && ledger.droppedEvents == 1 && ledger.statistics.inFlight == 4)
        let afterOne = ledger.acknowledged(mid: 1)
        let afterTwo = ledger.acknowledged(mid: 2)  // 2 held = half the bound: the streak ends
        let unknown = ledger.acknowledged(mid: 99)  // not ours (availability, counts)
        #expect(!afterOne && afterTwo && !unknown)
        #expect(!ledger.isOverflowing)
        #expect(ledger.statistics.delivered == 2 && ledger.statistics.inFlight == 2)
    }

    @Test("a lost connection loses unwritten QoS 0 messages only; shutdown abandons the rest")
    func connectionLoss() {
        var ledger = DeliveryLedger(capacity: 10)
        ledger.accepted(mid: 1, isRecord: true, qos: 0)
        ledger.accepted(mid: 2, isRecord: true, qos: 1)
        ledger.accepted(mid: 3, isRecord: false, qos: 0)
        ledger.connectionLost()
        #expect(ledger.held == 1)
        #expect(ledger.statistics.dropped == 1 && ledger.droppedEvents == 1 && ledger.statistics.inFlight == 1)
        ledger.refused(isRecord: true)
        let abandoned = ledger.abandonAll()
        #expect(abandoned == 1)
        let s = ledger.statistics
        #expect(s.delivered == 0 && s.failed == 1 && s.dropped == 2 && s.inFlight == 0)
    }
}
