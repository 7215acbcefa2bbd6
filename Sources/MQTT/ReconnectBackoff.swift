/// Delays between connection attempts: `initial` seconds after the first failure, doubling after each further one,
/// never more than `maximum`; back to `initial` once a connection succeeds.
struct ReconnectBackoff: Sendable, Equatable {
    let initial: Double
    let maximum: Double
    private var current: Double

    init(initial: Double, maximum: Double) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        current = initial
    }

    /// The delay before the next attempt; each call doubles the one after (up to ``maximum``).
    mutating func nextDelay() -> Double {
        let delay = current
        current = min(current * 2, maximum)
        return delay
    }

    /// After a successful connection: the next failure waits ``initial`` again.
    mutating func reset() { current = initial }
}
