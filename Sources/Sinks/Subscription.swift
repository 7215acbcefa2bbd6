/// What a socket subscriber wants to receive. Sent by the client as its first line, e.g.
/// `{"streams":["cam1"],"labels":["person"],"minScore":0.5,"kinds":["frame","track","stream"]}`.
///
/// An absent field means "everything". Unknown fields are rejected so that typos do not silently widen the
/// feed. Filtering rules, all of which must hold:
/// - `kinds`: the record's kind is listed.
/// - `streams`: the record's stream is listed (records without a stream, i.e. notices, pass).
/// - `labels` / `minScore`: frame and track records need at least one detection (for tracks: the track's
///   label and best score) with a listed label and a score ≥ `minScore`; a matching frame is delivered whole.
///   Event records need a listed label (their score counts as 1). Stream records and notices are not affected.
///
/// A decoded subscription has at most `maxNames` streams and labels each, of at most `maxNameBytes` bytes.
public struct Subscription: Sendable, Hashable, Codable {
    /// Stream names to receive, or `nil` for all.
    public var streams: [String]? { didSet { streamSet = streams.map(Set.init) } }
    /// Labels to receive, or `nil` for all.
    public var labels: [String]? { didSet { labelSet = labels.map(Set.init) } }
    /// Minimum detection score, or `nil` for any.
    public var minScore: Double?
    /// Record kinds to receive, or `nil` for all.
    public var kinds: [RecordKind]?
    // Hashed copies for `matches`, which runs for every record and subscriber.
    private var streamSet: Set<String>?
    private var labelSet: Set<String>?

    /// Most entries in `streams` or in `labels` accepted from a client.
    public static let maxNames = 1024
    /// Longest stream name or label accepted from a client, in UTF-8 bytes.
    public static let maxNameBytes = 1024

    /// Creates a subscription; the default receives everything.
    public init(streams: [String]? = nil, labels: [String]? = nil, minScore: Double? = nil, kinds: [RecordKind]? = nil) {
        self.streams = streams
        self.labels = labels
        self.minScore = minScore
        self.kinds = kinds
        streamSet = streams.map(Set.init)
        labelSet = labels.map(Set.init)
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
                .init(
                    codingPath: [AnyKey(stringValue: unknown)],
                    debugDescription: "unknown field \"\(unknown)\"; expected streams, labels, minScore or kinds"))
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        streams = try Self.decodeNames(.streams, from: container)
        labels = try Self.decodeNames(.labels, from: container)
        minScore = try container.decodeIfPresent(Double.self, forKey: .minScore)
        kinds = try container.decodeIfPresent([RecordKind].self, forKey: .kinds)
        if let minScore, !minScore.isFinite {
            throw DecodingError.dataCorruptedError(forKey: .minScore, in: container, debugDescription: "minScore must be a finite number")
        }
        if let kinds, let repeated = kinds.enumerated().first(where: { kinds[..<$0.offset].contains($0.element) })?.element {
            throw DecodingError.dataCorruptedError(forKey: .kinds, in: container, debugDescription: "\"\(repeated.rawValue)\" is listed twice")
        }
        streamSet = streams.map(Set.init)
        labelSet = labels.map(Set.init)
    }

    private static func decodeNames(_ key: CodingKeys, from container: KeyedDecodingContainer<CodingKeys>) throws -> [String]? {
        guard let names = try container.decodeIfPresent([String].self, forKey: key) else { return nil }
        guard names.count <= maxNames else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "at most \(maxNames) names, got \(names.count)")
        }
        if let long = names.first(where: { $0.utf8.count > maxNameBytes }) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "names are at most \(maxNameBytes) bytes, got one of \(long.utf8.count)")
        }
        return names
    }

    /// Whether a record with `metadata` is delivered to this subscriber.
    public func matches(_ metadata: RecordMetadata) -> Bool {
        if let kinds, !kinds.contains(metadata.kind) { return false }
        if let streamSet, let stream = metadata.stream, !streamSet.contains(stream) { return false }
        guard metadata.kind == .frame || metadata.kind == .track || metadata.kind == .event, labelSet != nil || minScore != nil else { return true }
        return metadata.labels.contains { entry in
            (labelSet?.contains(entry.label) ?? true) && entry.score >= (minScore ?? -.infinity)
        }
    }
}
