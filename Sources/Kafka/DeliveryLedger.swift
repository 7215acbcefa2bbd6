import Sinks
import Synchronization

/// The Kafka output's counters, updated by the producing task (records accepted or refused by librdkafka's queue) and
/// by librdkafka's delivery reports on the poll thread. Every accepted record ends in exactly one of delivered,
/// failed or dropped.
final class DeliveryLedger: Sendable {
    private struct State {
        var statistics = DeliveryStatistics()
        /// Records dropped since the queue last accepted one (0: not dropping).
        var dropStreak = 0
        /// Failed delivery reports since the last successful one.
        var failureStreak = 0
    }

    private let state = Mutex(State())

    /// A snapshot of the counters.
    var statistics: DeliveryStatistics { state.withLock { $0.statistics } }

    /// True while records are being dropped because librdkafka's queue is full.
    var isDropping: Bool { state.withLock { $0.dropStreak > 0 } }

    /// Counts a record handed to librdkafka (before the call, so its report can never come first).
    func willProduce() {
        state.withLock { $0.statistics.inFlight += 1 }
    }

    /// The record was queued; returns how many records the drop streak it ends had lost (0 when none).
    func produced() -> Int {
        state.withLock { state in
            defer { state.dropStreak = 0 }
            return state.dropStreak
        }
    }

    /// librdkafka's queue was full: the record is dropped. Returns true for the first drop of a streak (to log once).
    func droppedOnFullQueue() -> Bool {
        state.withLock { state in
            state.statistics.inFlight -= 1
            state.statistics.dropped += 1
            state.dropStreak += 1
            return state.dropStreak == 1
        }
    }

    /// librdkafka refused the record for another reason (too large, a fatal producer error): counted as failed.
    /// Returns true for the first failure of a streak.
    func refused() -> Bool {
        state.withLock { state in
            state.statistics.inFlight -= 1
            state.statistics.failed += 1
            state.failureStreak += 1
            return state.failureStreak == 1
        }
    }

    /// What a delivery report says about one record.
    enum Outcome {
        case delivered
        case failed
        /// Purged at shutdown after the flush deadline.
        case purged
    }

    /// Records one delivery report; returns true for the first failure of a streak (to log once).
    func report(_ outcome: Outcome) -> Bool {
        state.withLock { state in
            state.statistics.inFlight -= 1
            switch outcome {
            case .delivered:
                state.statistics.delivered += 1
                state.statistics.connected = true
                state.failureStreak = 0
                return false
            case .failed:
                state.statistics.failed += 1
                state.failureStreak += 1
                return state.failureStreak == 1
            case .purged:
                state.statistics.dropped += 1
                return false
            }
        }
    }

    /// Sets the connection state (from broker errors, metadata probes and delivery reports).
    func setConnected(_ connected: Bool) {
        state.withLock { $0.statistics.connected = connected }
    }

    /// A record written after the output closed: dropped.
    func droppedAfterClose() {
        state.withLock { $0.statistics.dropped += 1 }
    }

    /// At shutdown, after the flush and the purge: whatever is still unreported counts as dropped. Returns that number.
    func abandonInFlight() -> Int {
        state.withLock { state in
            let left = max(0, state.statistics.inFlight)
            state.statistics.dropped += left
            state.statistics.inFlight = 0
            state.statistics.connected = false
            return left
        }
    }
}
