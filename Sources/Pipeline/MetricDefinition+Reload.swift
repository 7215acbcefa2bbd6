/// The configuration reload's metrics (Prometheus's own names for them).
extension MetricDefinition {
    /// Reloads by outcome (`result`: success, failure).
    static let configReloads = MetricDefinition(
        "ssdd_config_reloads_total", .counter, labels: ["result"],
        help: "Configuration reloads (SIGHUP) by result: success (applied) or failure (the file was invalid; the old configuration runs).")
    /// 1 when the last reload was applied (or none was tried), 0 when it failed.
    static let configLastReloadSuccessful = MetricDefinition(
        "ssdd_config_last_reload_successful", .gauge, help: "Whether the last configuration reload attempt was successful.")
    /// When the configuration was last loaded successfully (at start, then at each applied reload).
    static let configLastReloadSuccessTimestamp = MetricDefinition(
        "ssdd_config_last_reload_success_timestamp_seconds", .gauge,
        help: "Timestamp of the last successful configuration load, in seconds since the Unix epoch.")
}
