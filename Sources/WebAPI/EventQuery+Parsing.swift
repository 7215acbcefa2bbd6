import Sinks

extension EventQuery {
    /// The parameters `GET /api/v1/events` knows (besides `access_token`).
    static let parameterNames: Set<String> = ["stream", "kind", "since", "limit"]

    /// Reads `stream`, `kind`, `since` and `limit` from a request's query; a bad or unknown parameter throws a
    /// problem naming it (the answer is `400`).
    init(parsing target: RequestTarget) throws(RequestTarget.Problem) {
        let known = Self.parameterNames.union([APIRouter.tokenParameter])
        if let unknown = target.unknownParameter(knowing: known) {
            throw .init(message: "unknown query parameter `\(RequestTarget.printable(unknown))`; expected stream, kind, since or limit")
        }
        self.init()
        if let stream = try target.value(of: "stream") {
            guard !stream.isEmpty else { throw .init(message: "query parameter `stream` must name a stream") }
            self.stream = stream
        }
        if let kind = try target.value(of: "kind") {
            guard let parsed = RecordKind(rawValue: kind), Self.kinds.contains(parsed) else {
                throw .init(message: "query parameter `kind` must be track or event")
            }
            self.kind = parsed
        }
        if let since = try target.value(of: "since") {
            guard let value = Double(since), value.isFinite, since.utf8.count <= 64 else {
                throw .init(message: "query parameter `since` must be a finite number (seconds since the Unix epoch)")
            }
            self.since = value
        }
        if let limit = try target.value(of: "limit") {
            guard limit.utf8.count <= 8, limit.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let value = Int(limit), (1...Self.maximumLimit).contains(value)
            else {
                throw .init(message: "query parameter `limit` must be an integer from 1 to \(Self.maximumLimit)")
            }
            self.limit = value
        }
    }
}
