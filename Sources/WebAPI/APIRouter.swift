import Foundation
import NIOHTTP1
import Sinks

/// Maps one request (method, target, credentials) to its answer: authentication, routing, parameter checks, and
/// the calls into ``APIState``. Pure and synchronous (the state answers at once), so it runs on the event loop.
struct APIRouter: Sendable {
    /// What a request presents to authenticate, and where a browser says it comes from.
    struct Credentials: Sendable {
        /// The values of every `Authorization` header.
        var authorization: [String]
        /// The `Origin` header (browsers send it with every WebSocket handshake), if any.
        var origin: String?
        /// The `Host` header, if any.
        var host: String?

        init(authorization: [String], origin: String? = nil, host: String? = nil) {
            self.authorization = authorization
            self.origin = origin
            self.host = host
        }

        /// The credentials of a request with `headers`.
        init(headers: HTTPHeaders) {
            self.init(authorization: headers["Authorization"], origin: headers.first(name: "Origin"), host: headers.first(name: "Host"))
        }

        /// Whether a browser's request comes from a page of this server: without `Origin` (not a browser), or with
        /// an `Origin` whose host and port are the request's `Host`. A WebSocket has no same-origin protection of
        /// its own, so without this check any web site the operator visits could read the feed of a daemon that
        /// runs without a token.
        var isSameOrigin: Bool {
            guard let origin else { return true }
            guard let host, let separator = origin.range(of: "://") else { return false }
            return origin[separator.upperBound...].lowercased() == host.lowercased()
        }
    }

    /// The endpoints, by what their path looks like.
    enum Route: Equatable {
        case page, healthz, openAPI, streams, stream(String), latestPicture(String), events, configuration, metrics, feed
    }

    let state: any APIState
    let tokens: TokenStore

    /// The query parameter that may carry the token (RFC 6750 §2.3).
    static let tokenParameter = "access_token"

    /// The answer to `method target`. HEAD is answered like GET (the caller drops the body).
    func respond(method: HTTPMethod, target rawTarget: String, credentials: Credentials) -> APIResponse {
        let target: RequestTarget
        do {
            target = try RequestTarget(parsing: rawTarget)
        } catch {
            return .error(.badRequest, error.message)
        }
        let route = Self.route(target.segments)
        if route != .healthz, route != .page, let refusal = authenticate(target: target, credentials: credentials) {
            return refusal
        }
        guard let route else { return .error(.notFound, "no such resource; see /api/v1/openapi.json") }
        guard method == .GET || method == .HEAD else {
            return .error(.methodNotAllowed, "\(method.rawValue) is not allowed here; use GET or HEAD", headers: [("Allow", "GET, HEAD")])
        }
        if route == .feed, !credentials.isSameOrigin {
            return .error(.forbidden, "a WebSocket from another origin is refused; open the page of this server")
        }
        do {
            return try answer(route, target: target)
        } catch {
            return .error(.badRequest, error.message)
        }
    }

    /// The route of a decoded path, or nil for an unknown one.
    static func route(_ segments: [String]) -> Route? {
        switch segments.count {
        case 0: return .page
        case 1 where segments[0] == "healthz": return .healthz
        case 1 where segments[0] == "metrics": return .metrics
        default: break
        }
        guard segments.count >= 3, segments[0] == "api", segments[1] == "v1" else { return nil }
        switch (segments[2], segments.count) {
        case ("openapi.json", 3): return .openAPI
        case ("streams", 3): return .streams
        case ("streams", 4): return .stream(segments[3])
        case ("streams", 5) where segments[4] == "latest.jpg": return .latestPicture(segments[3])
        case ("events", 3): return .events
        case ("config", 3): return .configuration
        case ("feed", 3): return .feed
        default: return nil
        }
    }

    /// Whether a WebSocket handshake for `target` may be accepted: the feed's path, the token, the same origin.
    func mayUpgrade(method: HTTPMethod, target rawTarget: String, credentials: Credentials) -> Bool {
        guard method == .GET, let target = try? RequestTarget(parsing: rawTarget), Self.route(target.segments) == .feed else { return false }
        return credentials.isSameOrigin && authenticate(target: target, credentials: credentials) == nil
    }

    /// `nil` when the request may proceed, else the `400`/`401` answer.
    func authenticate(target: RequestTarget, credentials: Credentials) -> APIResponse? {
        guard let token = tokens.current else { return nil }
        let challenge = ("WWW-Authenticate", #"Bearer realm="ssdd""#)
        let queryTokens = target.parameters.filter { $0.name == Self.tokenParameter }.map(\.value)
        // The header wins when both are given (a client that sends both has the header at hand; the query form is
        // for browsers' <img> and WebSocket, which cannot send headers).
        let presented: String
        switch (credentials.authorization.count, queryTokens.count) {
        case (0, 0):
            return .error(
                .unauthorized, "this resource needs the token: send `Authorization: Bearer <token>` or `?access_token=<token>`", headers: [challenge])
        case (1, _):
            let header = credentials.authorization[0]
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                return .error(.unauthorized, "the Authorization header must be `Bearer <token>`", headers: [challenge])
            }
            presented = parts[1].trimmingCharacters(in: .whitespaces)
        case (0, 1):
            presented = queryTokens[0]
        case (0, _):
            return .error(.badRequest, "query parameter `access_token` is given \(queryTokens.count) times; give it once")
        default:
            return .error(.badRequest, "give one Authorization header, not \(credentials.authorization.count)")
        }
        guard token.matches(presented.utf8) else {
            return .error(.unauthorized, "wrong token", headers: [(challenge.0, challenge.1 + #", error="invalid_token""#)])
        }
        return nil
    }

    private func answer(_ route: Route, target: RequestTarget) throws(RequestTarget.Problem) -> APIResponse {
        switch route {
        case .page:
            return APIResponse(
                contentType: "text/html; charset=utf-8",
                headers: [("Content-Security-Policy", Self.pagePolicy), ("Cache-Control", "no-cache")], body: EmbeddedResources.page)
        case .healthz:
            return .json(Array(#"{"status":"ok"}"#.utf8))
        case .openAPI:
            return .json(EmbeddedResources.openAPIDocument)
        case .streams:
            return encode(StreamList(streams: state.streams()))
        case let .stream(name):
            guard let status = state.stream(named: name) else { return .error(.notFound, "no stream named \(Self.quoted(name))") }
            return encode(status)
        case let .latestPicture(name):
            guard state.stream(named: name) != nil else { return .error(.notFound, "no stream named \(Self.quoted(name))") }
            guard let picture = state.latestPicture(stream: name) else {
                return .error(.notFound, "stream \(Self.quoted(name)) has no picture yet")
            }
            return APIResponse(contentType: "image/jpeg", headers: [("Cache-Control", "no-store")], body: picture)
        case .events:
            return eventList(try EventQuery(parsing: target))
        case .configuration:
            return .json(state.configurationJSON())
        case .metrics:
            return APIResponse(
                contentType: "text/plain; version=0.0.4; charset=utf-8", headers: [("Cache-Control", "no-store")],
                body: Array(state.metricsText().utf8))
        case .feed:
            return .error(.upgradeRequired, "GET /api/v1/feed is a WebSocket: send the RFC 6455 upgrade headers", headers: [("Upgrade", "websocket")])
        }
    }

    /// `{"events":[…]}` with each record's JSON object spliced in as the pipeline encoded it.
    private func eventList(_ query: EventQuery) -> APIResponse {
        let lines = state.events(matching: query).prefix(query.limit)
        var body = Array(#"{"events":["#.utf8)
        body.reserveCapacity(lines.reduce(body.count + 2) { $0 + $1.bytes.count })
        for (index, line) in lines.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: line.payload)
        }
        body.append(contentsOf: Array("]}".utf8))
        return .json(body)
    }

    private func encode(_ value: some Encodable) -> APIResponse {
        do {
            return .json([UInt8](try JSONEncoder().encode(value)))
        } catch {
            return .error(.internalServerError, "cannot encode the answer: \(error)")
        }
    }

    private static func quoted(_ name: String) -> String { "\"\(RequestTarget.printable(name))\"" }

    /// The page's Content-Security-Policy: everything from this server only; images may be blobs (the page fetches
    /// pictures with the token header and shows them as blobs).
    static let pagePolicy =
        "default-src 'self'; img-src 'self' blob:; connect-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'"

    private struct StreamList: Encodable {
        let streams: [StreamStatus]
    }
}
