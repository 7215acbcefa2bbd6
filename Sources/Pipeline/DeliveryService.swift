import ServiceLifecycle

/// Runs the ``DeliveryStage`` over the inferred items until every stream finished (or the items end: inference was
/// joined), then waits for its shutdown turn. Shut down after inference and before the outputs, so every accepted
/// frame's lines are queued before the queues are drained and closed.
struct DeliveryService: Service, CustomStringConvertible {
    let stage: DeliveryStage
    let items: AsyncStream<DeliveryItem>

    var description: String { "delivery" }

    func run() async throws {
        try await stage.run(items)
        await waitForShutdownTurn()
    }
}
