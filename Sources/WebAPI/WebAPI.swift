// WebAPI: the daemon's HTTP API, live page and WebSocket feed on one SwiftNIO listener.
//
// Overview
// - `HTTPServer` binds `[http] address` and serves what an `APIState` (the daemon's `DaemonAPIState`, or a test's
//   fixed state) answers: `/healthz`, the page `/`, `/api/v1/openapi.json`, `/api/v1/streams[/{name}[/latest.jpg]]`,
//   `/api/v1/events`, `/api/v1/config`, `/metrics`, and `/api/v1/feed` (WebSocket). `Resources/openapi.json` documents
//   every answer; `Resources/index.html` is the page; both are embedded in the binary (`EmbeddedResources`).
// - A connection's pipeline: `HTTPConnectionGuard` (bytes and deadlines, below the codec) → NIO's HTTP/1 codec with
//   the WebSocket upgrader → `APIHandler` (one request at a time, keep-alive) → `APIRouter` (authentication with the
//   `AccessToken` from `TokenStore`, routing, `RequestTarget` decoding, `EventQuery` parsing). After an upgrade the
//   API handler leaves and a `FeedClientHandler` takes the connection.
// - `WebSocketFeed` is a `Sink`: the pipeline writes every record line to it like to any output, and it hands each
//   line to each client's event loop without waiting (the Unix socket's protocol and control lines, from Sinks).
// - Bounds: `HTTPServerLimits` and `FeedLimits` (validated, errors naming the `[http]` keys); errors are `WebAPIError`.
