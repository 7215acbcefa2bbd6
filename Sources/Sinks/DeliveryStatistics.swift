/// Counters of an output whose peer acknowledges what it receives (an MQTT broker, a Kafka cluster).
///
/// Every record the sink accepted ends in exactly one of `delivered`, `failed` or `dropped`, or is still counted in
/// `inFlight` (handed to the client library or held in the sink's own bounded buffer, not yet acknowledged).
public struct DeliveryStatistics: Sendable, Equatable {
    /// Records the peer acknowledged.
    public var delivered = 0
    /// Records the peer refused or that timed out (after the client library's own retries).
    public var failed = 0
    /// Records dropped because the sink's bounded buffer was full while the peer was away, or left at shutdown.
    public var dropped = 0
    /// Records accepted and not yet acknowledged.
    public var inFlight = 0
    /// Whether the sink currently has a working connection to its peer.
    public var connected = false

    /// Creates zeroed counters.
    public init() {}
}

/// A sink that delivers records to a remote peer and reports acknowledgements (MQTT, Kafka).
public protocol DeliveryReporting: Sink {
    /// The current counters; cheap, read at every metrics scrape.
    var deliveryStatistics: DeliveryStatistics { get }
}
