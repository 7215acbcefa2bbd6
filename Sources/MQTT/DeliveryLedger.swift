import Sinks

/// The MQTT output's accounting of the messages it tracks — records, and Frigate events — from hand-over to the
/// broker's acknowledgement, with the bound on how many may be held unacknowledged (`max_queued`).
///
/// Every record accepted ends in exactly one of `delivered`, `failed`, `dropped`, or is still `inFlight`; events are
/// held and bounded the same way but counted apart (`droppedEvents`), since the statistics are per record.
struct DeliveryLedger: Sendable {
    /// Messages held unacknowledged at most.
    let capacity: Int
    private(set) var statistics = DeliveryStatistics()
    /// Frigate events dropped (bound reached, or QoS 0 while the broker was away).
    private(set) var droppedEvents = 0
    /// Packet id → whether it carries a record, and whether it is QoS 0 (acknowledged by being written, lost if the
    /// connection ends first).
    private var pending: [Int32: Entry] = [:]
    /// Whether messages are being dropped because the bound is reached (until half of it is free again).
    private(set) var isOverflowing = false

    private struct Entry {
        var isRecord: Bool
        var isQoS0: Bool
    }

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Messages held unacknowledged.
    var held: Int { pending.count }

    /// Whether one more message may be handed over; if not, counts it dropped. Returns `(admit, startsOverflow)`:
    /// the second is true for the first drop of a streak (to log once).
    mutating func admit(isRecord: Bool) -> (admit: Bool, startsOverflow: Bool) {
        guard pending.count >= capacity else { return (true, false) }
        countDropped(isRecord: isRecord)
        defer { isOverflowing = true }
        return (false, !isOverflowing)
    }

    /// The message was handed to libmosquitto under `mid`.
    mutating func accepted(mid: Int32, isRecord: Bool, qos: Int) {
        if let old = pending.updateValue(Entry(isRecord: isRecord, isQoS0: qos == 0), forKey: mid), old.isRecord {
            // A packet id still held was reused (cannot happen below 65535 held messages): count the old one lost.
            statistics.inFlight -= 1
            statistics.dropped += 1
        }
        if isRecord { statistics.inFlight += 1 }
    }

    /// A QoS 0 message found no connection.
    mutating func notConnected(isRecord: Bool) { countDropped(isRecord: isRecord) }

    /// libmosquitto refused the message.
    mutating func refused(isRecord: Bool) {
        if isRecord { statistics.failed += 1 }
    }

    /// The broker acknowledged `mid` (or a QoS 0 message was written). Returns true when this ends an overflow
    /// streak (half the bound is free again), to log the recovery once.
    mutating func acknowledged(mid: Int32) -> Bool {
        guard let entry = pending.removeValue(forKey: mid) else { return false }
        if entry.isRecord {
            statistics.inFlight -= 1
            statistics.delivered += 1
        }
        guard isOverflowing, pending.count <= capacity / 2 else { return false }
        isOverflowing = false
        return true
    }

    /// Packet ids held at QoS ≥ 1: what libmosquitto resends after a reconnect.
    var resendableMids: Set<Int32> { Set(pending.compactMap { $0.value.isQoS0 ? nil : $0.key }) }

    /// The connection ended: QoS 0 messages not yet written are lost. QoS ≥ 1 ones stay held (resent).
    mutating func connectionLost() {
        for (mid, entry) in pending where entry.isQoS0 {
            pending[mid] = nil
            if entry.isRecord { statistics.inFlight -= 1 }
            countDropped(isRecord: entry.isRecord)
        }
    }

    /// At shutdown, after the last wait: whatever is still held is lost. Returns how many records that was.
    mutating func abandonAll() -> Int {
        let records = pending.values.filter(\.isRecord).count
        for entry in pending.values { countDropped(isRecord: entry.isRecord) }
        statistics.inFlight -= records
        pending = [:]
        return records
    }

    private mutating func countDropped(isRecord: Bool) {
        if isRecord { statistics.dropped += 1 } else { droppedEvents += 1 }
    }
}
