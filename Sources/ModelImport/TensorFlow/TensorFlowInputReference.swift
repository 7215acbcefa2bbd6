/// One entry of a `NodeDef.input` list: `name` (output 0 of node `name`), `name:port` (output `port`) or `^name` (a
/// control edge, which orders execution but carries no value).
struct TensorFlowInputReference: Equatable {
    /// Largest output index accepted; no op the importer reads has more than a handful of outputs.
    static let maximumPort = 99_999

    /// The producing node's name.
    let node: String
    /// Which output of `node` is read (0 for a plain name and for control edges).
    let port: Int
    /// Whether this is a control edge (`^name`).
    let isControl: Bool

    /// Parses `text`; nil unless it is `name`, `name:digits` or `^name` with a non-empty name (TensorFlow node names never
    /// contain `:` or `^`).
    init?(_ text: String) {
        var rest = Substring(text)
        isControl = rest.first == "^"
        if isControl { rest = rest.dropFirst() }
        var port = 0
        if let colon = rest.firstIndex(of: ":") {
            let digits = rest[rest.index(after: colon)...]
            guard !isControl, !digits.isEmpty, digits.count <= 5, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let value = Int(digits), value <= Self.maximumPort
            else { return nil }
            port = value
            rest = rest[..<colon]
        }
        guard !rest.isEmpty, !rest.contains("^") else { return nil }
        node = String(rest)
        self.port = port
    }
}
