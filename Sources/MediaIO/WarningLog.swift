/// Non-fatal problems met while reading: each distinct message once, in order of first occurrence, with a count,
/// so a file with a thousand corrupt packets reports one line, not a thousand.
struct WarningLog {
    /// Distinct messages kept; later new ones are dropped (their occurrences are not counted).
    static let capacity = 100

    private var messages: [String] = []
    private var counts: [String: Int] = [:]

    mutating func add(_ message: String) {
        if let count = counts[message] {
            counts[message] = count + 1
        } else if messages.count < Self.capacity {
            messages.append(message)
            counts[message] = 1
        }
    }

    func contains(_ message: String) -> Bool { counts[message] != nil }

    /// Each message, followed by "(N times)" when it occurred more than once.
    var lines: [String] {
        messages.map { message in
            let count = counts[message] ?? 1
            return count > 1 ? "\(message) (\(count) times)" : message
        }
    }
}
