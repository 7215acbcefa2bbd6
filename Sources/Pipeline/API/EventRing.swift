import Sinks
import WebAPI

/// The recent `track` and `event` records behind `GET /api/v1/events`: a ring of at most `capacity` lines that
/// forgets the oldest when full. Lines are kept as encoded (the API answers their bytes unchanged), with the stream,
/// kind and time the filters need. A value type: ``DaemonAPIState`` keeps it behind its lock.
struct EventRing: Sendable {
    /// One kept line and what the filters look at.
    private struct Entry: Sendable {
        let line: JSONLine
        let kind: RecordKind
        let stream: String?
        let time: Double
    }

    /// Lines kept at most.
    let capacity: Int
    private var entries: [Entry] = []
    /// The slot the next line overwrites once the ring is full (the oldest line).
    private var next = 0

    /// An empty ring of `capacity` lines (at least 1).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
        entries.reserveCapacity(min(self.capacity, 1024))
    }

    /// Lines kept now.
    var count: Int { entries.count }

    /// Keeps `line` when it is a `track` or `event` record (others are ignored); returns whether it was kept.
    @discardableResult
    mutating func append(_ line: JSONLine) -> Bool {
        let kind = line.metadata.kind
        guard EventQuery.kinds.contains(kind), let time = Self.time(of: line) else { return false }
        let entry = Entry(line: line, kind: kind, stream: line.metadata.stream, time: time)
        if entries.count < capacity {
            entries.append(entry)
        } else {
            entries[next] = entry
            next = (next + 1) % capacity
        }
        return true
    }

    /// The lines matching `query`, newest first (the order they arrived in, reversed), at most `query.limit`.
    func lines(matching query: EventQuery) -> [JSONLine] {
        let limit = max(0, query.limit)
        var result: [JSONLine] = []
        result.reserveCapacity(min(limit, entries.count))
        var remaining = entries.count
        var index = (next + entries.count - 1) % max(entries.count, 1)
        while remaining > 0 && result.count < limit {
            let entry = entries[index]
            if matches(entry, query) { result.append(entry.line) }
            remaining -= 1
            index = index == 0 ? entries.count - 1 : index - 1
        }
        return result
    }

    private func matches(_ entry: Entry, _ query: EventQuery) -> Bool {
        if let stream = query.stream, entry.stream != stream { return false }
        if let kind = query.kind, entry.kind != kind { return false }
        if let since = query.since, !(entry.time > since) { return false }
        return true
    }

    /// The record's `time`: taken from the typed record the line was encoded from.
    private static func time(of line: JSONLine) -> Double? {
        switch line.record {
        case .track(let track): track.time
        case .event(let event): event.time
        default: nil
        }
    }
}
