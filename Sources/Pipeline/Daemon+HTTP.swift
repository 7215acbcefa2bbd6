import WebAPI

/// The HTTP API parts of the daemon's assembly (`[http]`): the state the server reads, the outputs that feed it,
/// the server itself.
extension Daemon {
    /// What `[http]` adds: the API's state and the WebSocket feed, both fed by output queues of their own.
    struct APIParts: Sendable {
        let configuration: HTTPConfiguration
        let state: DaemonAPIState
        let feed: WebSocketFeed

        /// The two all-streams outputs: the state's record sink (`api`) and the WebSocket feed (`websocket`).
        var feeds: [NamedSink] {
            [NamedSink(name: "api", sink: APIRecordSink(state: state)), NamedSink(name: "websocket", sink: feed)]
        }
    }

    /// The API's parts when `[http]` is set; nil otherwise.
    func makeAPI() -> APIParts? {
        guard let http = configuration.http else { return nil }
        let state = DaemonAPIState(configuration: configuration, metrics: metrics)
        let feed = WebSocketFeed(limits: http.feed, logger: logger)
        metrics.sample(.httpFeedClients, labelValues: [[]]) { [Double(feed.clientCount)] }
        return APIParts(configuration: http, state: state, feed: feed)
    }

    /// Starts the HTTP server of `api` (it logs the address and port it bound). Throws a ``StartupError`` naming
    /// `http.token_file` or `http.address`.
    func startHTTPServer(_ api: APIParts) async throws -> HTTPServer {
        do {
            return try await HTTPServer.start(configuration: api.configuration, state: api.state, feed: api.feed, logger: logger)
        } catch let error as WebAPIError {
            throw StartupError(key: error.key ?? "http.address", message: "\(error)")
        } catch {
            throw StartupError(key: "http.address", message: "cannot listen: \(error)")
        }
    }
}
