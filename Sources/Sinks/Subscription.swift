/// What a socket subscriber wants to receive. Sent by the client as its first line, e.g.
/// `{"streams":["cam1"],"labels":["person"],"minScore":0.5,"kinds":["frame","track","stream"]}`.
///
/// An absent field means "everything". Unknown fields are rejected so that typos do not silently widen the
/// feed. Filtering rules, all of which must hold:
/// - `kinds`: the record's kind is listed.
/// - `streams`: the record's stream is listed (records without a stream, i.e. notices, pass).
/// - `labels` / `minScore`: frame and track records need at least one detection (for tracks: the track's
///   label and best score) with a listed label and a score ≥ `minScore`; a matching frame is delivered whole.
///   Stream records and notices are not affected.
public struct Subscription: Sendable, Hashable, Codable {
    /// Stream names to receive, or `nil` for all.
    public var streams: [String]?
    /// Labels to receive, or `nil` for all.
    public var labels: [String]?
    /// Minimum detection score, or `nil` for any.
    public var minScore: Double?
    /// Record kinds to receive, or `nil` for all.
    public var kinds: [RecordKind]?

    /// Creates a subscription; the default receives everything.
    public init(streams: [String]? = nil, labels: [String]? = nil, minScore: Double? = nil, kinds: [RecordKind]? = nil) {
        self.streams = streams
        self.labels = labels
        self.minScore = minScore
        self.kinds = kinds
    }

    private enum CodingKeys: String, CodingKey, CaseIterable { case streams, labels, minScore, kinds }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        let all = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = all.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [AnyKey(stringValue: unknown)], debugDescription: "unknown field \"\(unknown)\"; expected streams, labels, minScore or kinds"))
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        streams = try container.decodeIfPresent([String].self, forKey: .streams)
        labels = try container.decodeIfPresent([String].self, forKey: .labels)
        minScore = try container.decodeIfPresent(Double.self, forKey: .minScore)
        kinds = try container.decodeIfPresent([RecordKind].self, forKey: .kinds)
        if let minScore, !minScore.isFinite {
            throw DecodingError.dataCorruptedError(forKey: .minScore, in: container, debugDescription: "minScore must be a finite number")
        }
    }

    /// Whether a record with `metadata` is delivered to this subscriber.
    public func matches(_ metadata: RecordMetadata) -> Bool {
        if let kinds, !kinds.contains(metadata.kind) { return false }
        if let streams, let stream = metadata.stream, !streams.contains(stream) { return false }
        guard metadata.kind == .frame || metadata.kind == .track, labels != nil || minScore != nil else { return true }
        return metadata.labels.contains { entry in
            (labels?.contains(entry.label) ?? true) && entry.score >= (minScore ?? -.infinity)
        }
    }
}
