import ServiceLifecycle

/// Owns the started metrics listener; the last pipeline service shut down, so `/metrics` answers while the pipeline
/// drains. Closes the listener at its turn and on cancellation.
struct MetricsListenerService: Service, CustomStringConvertible {
    let server: MetricsServer

    var description: String { "metrics listener" }

    func run() async {
        await waitForShutdownTurn()
        await server.stop()
    }
}
