/// A request's target (`/api/v1/streams/cam%201?limit=5`) split into decoded path segments and query parameters.
///
/// Decoding is strict: `%` must be followed by two hexadecimal digits, the decoded bytes must be UTF-8, and a path
/// segment may not decode to one holding `/`; anything else is a ``Problem`` that becomes `400`. Segments are only
/// compared with route names and stream names (nothing is looked up in a file system), so `.` and `..` are plain
/// names. In the query, `+` stands for a space (HTML forms, `URLSearchParams`).
struct RequestTarget: Sendable, Equatable {
    /// Why a target was refused.
    struct Problem: Error, Equatable {
        /// What is wrong, for the `400` answer (never the raw target: it may hold the token).
        let message: String
    }

    /// The decoded path segments: `/api/v1/streams/cam1` is `["api", "v1", "streams", "cam1"]`; `/` is `[]`.
    let segments: [String]
    /// The decoded query parameters in order.
    let parameters: [(name: String, value: String)]

    static func == (lhs: RequestTarget, rhs: RequestTarget) -> Bool {
        lhs.segments == rhs.segments && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Parses an origin-form target (RFC 9112 §3.2.1: it starts with `/`).
    init(parsing target: String) throws(Problem) {
        let bytes = Array(target.utf8)
        guard bytes.first == UInt8(ascii: "/") else { throw Problem(message: "the request target must start with /") }
        let questionMark = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
        let rawPath = bytes[1..<questionMark]
        var segments: [String] = []
        if !rawPath.isEmpty {
            for raw in rawPath.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
                guard let segment = Self.decode(raw, plusIsSpace: false), !segment.contains("/") else {
                    throw Problem(message: "invalid percent-encoding or character in the path")
                }
                segments.append(segment)
            }
        }
        // A trailing slash ("/api/v1/streams/") names the same resource as without it.
        if segments.last == "" { segments.removeLast() }
        var parameters: [(name: String, value: String)] = []
        if questionMark < bytes.count {
            let rawQuery = bytes[(questionMark + 1)...]
            for pair in rawQuery.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
                let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
                guard let name = Self.decode(pair[pair.startIndex..<equals], plusIsSpace: true) else {
                    throw Problem(message: "invalid percent-encoding in a query parameter name")
                }
                let rawValue = equals < pair.endIndex ? pair[(equals + 1)...] : []
                guard let value = Self.decode(rawValue, plusIsSpace: true) else {
                    throw Problem(message: "invalid percent-encoding in query parameter `\(Self.printable(name))`")
                }
                parameters.append((name, value))
            }
        }
        self.segments = segments
        self.parameters = parameters
    }

    /// The value of the parameter `name`; throws when it is given more than once.
    func value(of name: String) throws(Problem) -> String? {
        let values = parameters.filter { $0.name == name }
        guard values.count <= 1 else { throw Problem(message: "query parameter `\(name)` is given \(values.count) times; give it once") }
        return values.first?.value
    }

    /// The first parameter whose name is not in `known`, if any.
    func unknownParameter(knowing known: Set<String>) -> String? {
        parameters.first { !known.contains($0.name) }?.name
    }

    /// The decoded text of one percent-encoded component, or nil when the encoding is broken or the result is not
    /// UTF-8.
    static func decode(_ raw: some Collection<UInt8>, plusIsSpace: Bool) -> String? {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.count)
        var iterator = raw.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                decoded.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                decoded.append(UInt8(ascii: " "))
            default:
                decoded.append(byte)
            }
        }
        return String(validating: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `name` shortened for an error message.
    static func printable(_ name: String) -> String {
        name.count <= 64 ? name : String(name.prefix(64)) + "…"
    }
}
