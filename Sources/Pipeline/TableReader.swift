import Sinks
import TOMLKit

/// Reads typed values out of one TOML table, recording which keys were used so unknown (misspelt) keys are reported.
struct TableReader {
    let table: TOMLTable
    /// Dotted path of this table, e.g. `streams[0]`.
    let path: String
    let file: String
    private var used: Set<String> = []

    init(_ table: TOMLTable, path: String, file: String) {
        self.table = table
        self.path = path
        self.file = file
    }

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func error(_ name: String, _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, key: key(name), message: message)
    }

    private func describe(_ value: any TOMLValueConvertible) -> String {
        "\(value.type) \(value.debugDescription.prefix(40))"
    }

    mutating func string(_ name: String) throws -> String? {
        used.insert(name)
        guard let value = table[name] else { return nil }
        guard let string = value.string else { throw error(name, "expected a string, got \(describe(value))") }
        return string
    }

    mutating func requiredString(_ name: String) throws -> String {
        guard let value = try string(name) else { throw error(name, "is required (a string)") }
        guard !value.isEmpty else { throw error(name, "must not be empty") }
        return value
    }

    mutating func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        used.insert(name)
        guard let value = table[name] else { return fallback }
        guard let int = value.int else { throw error(name, "expected an integer, got \(describe(value))") }
        guard range.contains(int) else { throw error(name, "must be between \(range.lowerBound) and \(range.upperBound), got \(int)") }
        return int
    }

    /// An integer in `range`, or nil when the key is absent.
    mutating func optionalInt(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        used.insert(name)
        guard table[name] != nil else { return nil }
        return try int(name, default: range.lowerBound, range: range)
    }

    mutating func double(_ name: String) throws -> Double? {
        used.insert(name)
        guard let value = table[name] else { return nil }
        if let double = value.double { return double }
        if let int = value.int { return Double(int) }
        throw error(name, "expected a number, got \(describe(value))")
    }

    mutating func double(_ name: String, default fallback: Double, range: ClosedRange<Double>) throws -> Double {
        guard let value = try double(name) else { return fallback }
        guard range.contains(value) else { throw error(name, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)") }
        return value
    }

    /// A number of seconds in `range` as a `Duration`, or `fallback` when absent.
    mutating func seconds(_ name: String, default fallback: Duration, range: ClosedRange<Double>) throws -> Duration {
        guard let value = try double(name) else { return fallback }
        guard range.contains(value) else { throw error(name, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)") }
        return .nanoseconds(Int64(value * 1e9))
    }

    mutating func bool(_ name: String) throws -> Bool? {
        used.insert(name)
        guard let value = table[name] else { return nil }
        guard let bool = value.bool else { throw error(name, "expected true or false, got \(describe(value))") }
        return bool
    }

    mutating func stringArray(_ name: String) throws -> [String]? {
        used.insert(name)
        guard let value = table[name] else { return nil }
        guard let array = value.array else { throw error(name, "expected an array of strings, got \(describe(value))") }
        return try (0..<array.count).map { i in
            guard let s = array[i].string, !s.isEmpty else { throw error("\(name)[\(i)]", "expected a non-empty string") }
            return s
        }
    }

    /// A list of record kinds (`kinds = ["track", "event"]`), each one of ``Sinks/RecordKind``, without repeats; nil
    /// when absent. An empty list is refused (the output would publish nothing).
    mutating func recordKinds(_ name: String) throws -> Set<RecordKind>? {
        guard let names = try stringArray(name) else { return nil }
        guard !names.isEmpty else { throw error(name, "must list at least one record kind") }
        var kinds: Set<RecordKind> = []
        for (i, kindName) in names.enumerated() {
            guard let kind = RecordKind(rawValue: kindName) else {
                let known = RecordKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw error("\(name)[\(i)]", "expected one of \(known), got '\(kindName)'")
            }
            guard kinds.insert(kind).inserted else { throw error("\(name)[\(i)]", "'\(kindName)' is listed twice") }
        }
        return kinds
    }

    mutating func table(_ name: String) throws -> TableReader? {
        used.insert(name)
        guard let value = table[name] else { return nil }
        guard let table = value.table else { throw error(name, "expected a table ([\(key(name))]), got \(describe(value))") }
        return TableReader(table, path: key(name), file: file)
    }

    mutating func tableArray(_ name: String) throws -> [TableReader] {
        used.insert(name)
        guard let value = table[name] else { return [] }
        guard let array = value.array else { throw error(name, "expected an array of tables ([[\(key(name))]])") }
        return try (0..<array.count).map { i in
            guard let t = array[i].table else { throw error("\(name)[\(i)]", "expected a table") }
            return TableReader(t, path: "\(key(name))[\(i)]", file: file)
        }
    }

    /// The raw value of `name` (marked as read), or nil when absent: for shapes the typed readers do not cover.
    mutating func value(_ name: String) -> (any TOMLValueConvertible)? {
        used.insert(name)
        return table[name]
    }

    /// Throws for the first key that was never read: it is misspelt or unsupported.
    func rejectUnknownKeys() throws {
        if let unknown = table.keys.sorted().first(where: { !used.contains($0) }) {
            throw error(unknown, "unknown key (supported here: \(used.sorted().joined(separator: ", ")))")
        }
    }
}
