import ServiceLifecycle
import WebAPI

/// Owns the started HTTP API server. Registered beside the metrics listener, so it is shut down after the outputs
/// have drained and closed: WebSocket clients receive the last lines and the shutdown notice (the feed's close)
/// before the listener goes. Closes the server at its turn and on cancellation.
struct HTTPListenerService: Service, CustomStringConvertible {
    let server: HTTPServer

    var description: String { "HTTP API listener" }

    func run() async {
        await waitForShutdownTurn()
        await server.stop()
    }
}
