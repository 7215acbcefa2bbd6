import ServiceLifecycle

/// The pipeline's services and the one place that fixes their order in the `ServiceGroup`.
///
/// `ServiceGroup` shuts services down in the reverse order of registration, waiting for each to return before
/// signalling the next, so they are registered listeners-first: shutdown then reaches the sources first (they stop
/// reading), then inference (workers run the scheduler dry and are joined), delivery (every stream finished), the
/// outputs (queues drained, files fsynced and closed, subscribers told), the listeners, and the heartbeat last.
///
/// Every service that fails shuts the group down gracefully (never by cancellation), so the outputs are always
/// drained and closed; the sources' returning by themselves (every file read) does the same.
struct PipelineServices {
    /// Watchdog pings; shut down last.
    var heartbeat: (any Service)?
    /// Services that only tend the process (``MemoryTrimService``), shut down just before the heartbeat.
    var housekeeping: [any Service] = []
    /// Listeners such as the metrics endpoint.
    var listeners: [any Service] = []
    var outputs: any Service
    /// The snapshot writer, between the outputs and delivery; nil without `[output.snapshots]`.
    var snapshots: (any Service)?
    var delivery: any Service
    var inference: any Service
    /// Shut down first.
    var sources: any Service

    /// The services in registration order, with their termination behaviours.
    var configurations: [ServiceGroupConfiguration.ServiceConfiguration] {
        let shutdown = ServiceGroupConfiguration.ServiceConfiguration.TerminationBehavior.gracefullyShutdownGroup
        var services: [any Service] = heartbeat.map { [$0] } ?? []
        services += housekeeping
        services += listeners
        services += [outputs] + (snapshots.map { [$0] } ?? []) + [delivery, inference]
        return services.map { .init(service: $0, failureTerminationBehavior: shutdown) }
            // The sources return by themselves once every file stream is read: that ends the daemon, it is no crash.
            + [.init(service: sources, successTerminationBehavior: shutdown, failureTerminationBehavior: shutdown)]
    }
}
