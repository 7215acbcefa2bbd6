/// A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every line must be a
/// `# HELP`, a `# TYPE`, another comment, or a sample `name{label="value",…} number`; label values may contain only
/// the escapes `\\`, `\"` and `\n`; a family's `# TYPE` comes once, before its samples; a sample appears once.
/// Anything else throws, naming the line, so that a wrongly escaped label fails the test that scraped it.
struct PrometheusExposition {
    /// One sample line.
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    /// Why the text is not valid exposition text.
    struct Invalid: Error, CustomStringConvertible {
        let line: Int
        let text: String
        let reason: String
        var description: String { "line \(line) \(text.debugDescription): \(reason)" }
    }

    /// Family name → type (`counter`, `gauge`, `histogram`, `summary`, `untyped`).
    private(set) var types: [String: String] = [:]
    /// Family name → help text (unescaped).
    private(set) var helps: [String: String] = [:]
    /// Every sample, in order.
    private(set) var samples: [Sample] = []

    /// Parses `text`; throws ``Invalid`` at the first line that breaks the format.
    init(parsing text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw Invalid(line: 0, text: "", reason: "no final newline") }
        var seen = Set<String>()
        for (index, line) in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            func fail(_ reason: String) -> Invalid { Invalid(line: index + 1, text: String(line), reason: reason) }
            if line.isEmpty { continue }
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0])
                guard Self.isMetricName(name) else { throw fail("bad metric name") }
                let rest = parts.count > 1 ? String(parts[1]) : ""
                if line.hasPrefix("# HELP ") {
                    guard helps[name] == nil else { throw fail("second HELP for \(name)") }
                    helps[name] = rest.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\\\", with: "\\")
                } else {
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(rest) else { throw fail("unknown type") }
                    guard types[name] == nil else { throw fail("second TYPE for \(name)") }
                    guard !samples.contains(where: { family(of: $0.name) == name }) else { throw fail("TYPE after samples of \(name)") }
                    types[name] = rest
                }
                continue
            }
            if line.hasPrefix("#") { continue }
            let sample = try Self.parseSample(Array(line.unicodeScalars), fail: fail)
            let key = sample.name + "|" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            guard seen.insert(key).inserted else { throw fail("duplicate sample") }
            samples.append(sample)
        }
    }

    /// The family a sample belongs to: its name, or the histogram or summary its `_bucket`/`_sum`/`_count` suffix names.
    func family(of sampleName: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where sampleName.hasSuffix(suffix) {
            let base = String(sampleName.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return sampleName
    }

    /// The samples named `name`.
    func samples(named name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// The value of the sample `name` with exactly `labels`, if present.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first == ":" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == ":" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    private static func parseSample(_ s: [Unicode.Scalar], fail: (String) -> Invalid) throws -> Sample {
        var i = 0
        func isNameScalar(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c == ":" || (c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c)))
        }
        while i < s.count, isNameScalar(s[i]) { i += 1 }
        let name = String(String.UnicodeScalarView(s[0..<i]))
        guard isMetricName(name) else { throw fail("bad metric name") }
        var labels: [String: String] = [:]
        if i < s.count, s[i] == "{" {
            i += 1
            while true {
                guard i < s.count else { throw fail("unterminated labels") }
                if s[i] == "}" {
                    i += 1
                    break
                }
                let start = i
                while i < s.count, isNameScalar(s[i]), s[i] != ":" { i += 1 }
                let label = String(String.UnicodeScalarView(s[start..<i]))
                guard !label.isEmpty, i + 1 < s.count, s[i] == "=", s[i + 1] == "\"" else { throw fail("expected label=\"…\"") }
                i += 2
                var value = String.UnicodeScalarView()
                while true {
                    guard i < s.count else { throw fail("unterminated label value") }
                    let c = s[i]
                    i += 1
                    if c == "\"" { break }
                    if c == "\\" {
                        guard i < s.count else { throw fail("dangling backslash") }
                        switch s[i] {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw fail("invalid escape \\\(s[i])")
                        }
                        i += 1
                    } else {
                        value.append(c)
                    }
                }
                guard labels.updateValue(String(value), forKey: label) == nil else { throw fail("label \(label) twice") }
                guard i < s.count else { throw fail("unterminated labels") }
                if s[i] == "," { i += 1 } else if s[i] != "}" { throw fail("expected , or } after a label") }
            }
        }
        guard i < s.count, s[i] == " " else { throw fail("expected a space before the value") }
        let fields = String(String.UnicodeScalarView(s[(i + 1)...])).split(separator: " ", omittingEmptySubsequences: false)
        guard (1...2).contains(fields.count), let value = parseValue(fields[0]) else { throw fail("bad value") }
        if fields.count == 2, Int(fields[1]) == nil { throw fail("bad timestamp") }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: text.allSatisfy({ "0123456789.eE+-".contains($0) }) ? Double(text) : nil
        }
    }
}
