/// One metric the daemon exports: its Prometheus name, help text and type. Every metric is declared once, in
/// `MetricDefinition+Catalog.swift`; recording goes through swift-metrics handles made by a
/// ``PrometheusCatalogFactory``, which looks the definition up by name.
///
/// Naming follows Prometheus' conventions: counters end in `_total`, units are spelled out in the name (`_seconds`,
/// `_bytes`, `_frames`, `_lines`), and a name has one type and one set of label names.
struct MetricDefinition: Sendable, Hashable {
    /// The Prometheus type, which decides the swift-metrics handle the factory makes for the name.
    enum Kind: Sendable, Hashable {
        /// Monotonic; the name ends in `_total`. Integral (`Counter`) or fractional (`FloatingPointCounter`).
        case counter
        /// A value that goes up and down (`Gauge`, `Meter`, or a non-aggregating `Recorder`).
        case gauge
        /// Cumulative buckets with these upper bounds, plus `+Inf`, `_sum` and `_count` (`Timer`).
        case histogram(buckets: [Duration])
    }

    /// The full Prometheus name, e.g. `ssdd_frames_written_total`.
    let name: String
    /// The `# HELP` text: one line, no control characters.
    let help: String
    /// The Prometheus type.
    let kind: Kind
    /// The label names every sample of this metric carries, in order (empty for a single unlabelled sample).
    let labelNames: [String]

    /// Creates a definition; `labelNames` lists the labels every sample carries.
    init(_ name: String, _ kind: Kind, labels labelNames: [String] = [], help: String) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labelNames = labelNames
    }
}
