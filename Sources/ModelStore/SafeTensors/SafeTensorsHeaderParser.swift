/// A strict reader of the JSON text of a safetensors header, shaped by the header's schema.
///
/// Unlike a general JSON decoder it rejects what would make a header ambiguous or costly: a key that appears twice (at
/// the top level, in `__metadata__` or in an entry), numbers that are not exact integers where integers are expected
/// (`1.0`, `1e3`, out of `Int` range), shapes of more than ``maximumRank`` dimensions and values nested more than
/// ``maximumNesting`` deep (skipped iteratively, so no input can exhaust the stack). It never traps; every failure is a
/// ``ModelStoreError`` naming the file and, where there is one, the tensor and field.
struct SafeTensorsHeaderParser {
    /// One tensor entry as written, before its values are checked against each other and the data section.
    struct Entry {
        var name: String
        var dtype: String
        var shape: [Int]
        var offsets: (begin: Int, end: Int)
    }

    /// Deepest nesting of arrays and objects accepted anywhere in the header.
    static let maximumNesting = 64
    /// Most dimensions a shape may have.
    static let maximumRank = 64

    private let bytes: [UInt8]
    private let file: String
    private var position = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Parses the whole header: tensor entries in file order and the metadata map.
    mutating func parse() throws -> (entries: [Entry], metadata: [String: String]) {
        var entries: [Entry] = []
        var metadata: [String: String] = [:]
        var keys = Set<String>()
        try expect(UInt8(ascii: "{"))
        var first = true
        while let key = try nextKey(first: &first) {
            guard keys.insert(key).inserted else {
                throw ModelStoreError.malformedHeader(file: file, reason: "key '\(Self.shown(key))' appears twice")
            }
            if key == SafeTensorsHeader.metadataKey {
                metadata = try parseMetadata()
            } else {
                entries.append(try parseEntry(named: key))
            }
        }
        skipWhitespace()
        guard position == bytes.count else { throw invalid() }
        return (entries, metadata)
    }

    // MARK: Schema

    private mutating func parseEntry(named name: String) throws -> Entry {
        func malformed(_ reason: String) -> ModelStoreError {
            ModelStoreError.malformedTensorEntry(file: file, tensor: name, reason: reason)
        }
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else {
            try skipValue()
            throw malformed("not a JSON object")
        }
        position += 1
        var dtype: String?
        var shape: IntegerArray?
        var offsets: IntegerArray?
        var fields = Set<String>()
        var first = true
        while let field = try nextKey(first: &first) {
            guard fields.insert(field).inserted else { throw malformed("field '\(Self.shown(field))' appears twice") }
            switch field {
            case "dtype":
                skipWhitespace()
                if peek() == UInt8(ascii: "\"") { dtype = try parseString() } else { try skipValue() }
            case "shape": shape = try parseIntegerArray()
            case "data_offsets": offsets = try parseIntegerArray()
            default: try skipValue()
            }
        }
        guard let dtype else { throw malformed("'dtype' must be a string") }
        guard case .integers(let dimensions)? = shape else {
            if case .tooLong? = shape { throw malformed("'shape' has more than \(Self.maximumRank) dimensions") }
            throw malformed("'shape' must be an array of integers")
        }
        guard case .integers(let pair)? = offsets, pair.count == 2 else {
            throw malformed("'data_offsets' must be an array of two integers")
        }
        return Entry(name: name, dtype: dtype, shape: dimensions, offsets: (pair[0], pair[1]))
    }

    private mutating func parseMetadata() throws -> [String: String] {
        let notStrings = ModelStoreError.malformedHeader(file: file, reason: "__metadata__ must map strings to strings")
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else {
            try skipValue()
            throw notStrings
        }
        position += 1
        var map: [String: String] = [:]
        var first = true
        while let key = try nextKey(first: &first) {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else {
                try skipValue()
                throw notStrings
            }
            guard map.updateValue(try parseString(), forKey: key) == nil else {
                throw ModelStoreError.malformedHeader(
                    file: file, reason: "__metadata__ key '\(Self.shown(key))' appears twice")
            }
        }
        return map
    }

    /// An array whose elements should all be integers.
    private enum IntegerArray {
        case integers([Int])
        case notIntegers
        case tooLong
    }

    private mutating func parseIntegerArray() throws -> IntegerArray {
        skipWhitespace()
        guard peek() == UInt8(ascii: "[") else {
            try skipValue()
            return .notIntegers
        }
        position += 1
        var values: [Int] = []
        var valid = true
        var count = 0
        var first = true
        while try nextElement(first: &first) {
            count += 1
            skipWhitespace()
            guard let byte = peek(), byte == UInt8(ascii: "-") || Self.isDigit(byte) else {
                valid = false
                try skipValue()
                continue
            }
            let value = try parseNumber()
            if let value, count <= Self.maximumRank { values.append(value) } else { valid = false }
        }
        if count > Self.maximumRank { return .tooLong }
        return valid ? .integers(values) : .notIntegers
    }

    // MARK: JSON

    /// The next key of an object whose `{` has been consumed, positioned at its value; nil (with the `}` consumed) at
    /// the end. `first` is true before the first member.
    private mutating func nextKey(first: inout Bool) throws -> String? {
        skipWhitespace()
        if first {
            first = false
            if peek() == UInt8(ascii: "}") {
                position += 1
                return nil
            }
        } else {
            switch next() {
            case UInt8(ascii: ","): break
            case UInt8(ascii: "}"): return nil
            default: throw invalid()
            }
        }
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw invalid() }
        let key = try parseString()
        try expect(UInt8(ascii: ":"))
        return key
    }

    /// Whether an array whose `[` has been consumed has another element (positioned at it); consumes the `]` at the end.
    private mutating func nextElement(first: inout Bool) throws -> Bool {
        skipWhitespace()
        if first {
            first = false
            if peek() == UInt8(ascii: "]") {
                position += 1
                return false
            }
            return true
        }
        switch next() {
        case UInt8(ascii: ","): return true
        case UInt8(ascii: "]"): return false
        default: throw invalid()
        }
    }

    /// Skips one JSON value of any kind, checking its syntax, without recursion.
    private mutating func skipValue() throws {
        // Each open container: true for an object (whose members need a key), false for an array.
        var open: [Bool] = []
        while true {
            skipWhitespace()
            guard let byte = next() else { throw invalid() }
            var closedOrScalar = true
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard open.count < Self.maximumNesting else {
                    throw ModelStoreError.malformedHeader(
                        file: file, reason: "values nest more than \(Self.maximumNesting) deep")
                }
                let isObject = byte == UInt8(ascii: "{")
                skipWhitespace()
                if peek() == UInt8(ascii: isObject ? "}" : "]") {
                    position += 1
                } else {
                    open.append(isObject)
                    if isObject { try skipKey() }
                    closedOrScalar = false
                }
            case UInt8(ascii: "\""):
                position -= 1
                _ = try parseString()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                position -= 1
                _ = try parseNumber()
            case UInt8(ascii: "t"): try expectLiteral("rue")
            case UInt8(ascii: "f"): try expectLiteral("alse")
            case UInt8(ascii: "n"): try expectLiteral("ull")
            default: throw invalid()
            }
            guard closedOrScalar else { continue }
            // After a complete value: close finished containers, or move to the next element or member.
            while let isObject = open.last {
                skipWhitespace()
                let separator = next()
                if separator == UInt8(ascii: ",") {
                    if isObject { try skipKey() }
                    break
                }
                guard separator == UInt8(ascii: isObject ? "}" : "]") else { throw invalid() }
                open.removeLast()
            }
            if open.isEmpty { return }
        }
    }

    private mutating func skipKey() throws {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw invalid() }
        _ = try parseString()
        try expect(UInt8(ascii: ":"))
    }

    /// A JSON string (escapes decoded, UTF-8 validated).
    private mutating func parseString() throws -> String {
        try expect(UInt8(ascii: "\""))
        var utf8: [UInt8] = []
        while true {
            guard let byte = next() else { throw invalid() }
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: utf8, as: UTF8.self) else { throw invalid() }
                return string
            case UInt8(ascii: "\\"):
                guard let escape = next() else { throw invalid() }
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): utf8 += try parseUnicodeEscape()
                default: throw invalid()
                }
            case 0..<0x20:
                throw invalid()
            default:
                utf8.append(byte)
            }
        }
    }

    /// The UTF-8 bytes of `\uXXXX` (after the `u`), joining a surrogate pair.
    private mutating func parseUnicodeEscape() throws -> [UInt8] {
        var scalar = try hexQuad()
        if (0xD800..<0xDC00).contains(scalar) {
            guard next() == UInt8(ascii: "\\"), next() == UInt8(ascii: "u") else { throw invalid() }
            let low = try hexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw invalid() }
            scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw invalid() }
        return Array(String(Character(unicode)).utf8)
    }

    private mutating func hexQuad() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = next(), let digit = Self.hexValue(byte) else { throw invalid() }
            value = value << 4 | digit
        }
        return value
    }

    /// A JSON number; its value when it is an integer that fits `Int`, nil for fractions, exponents and overflow.
    private mutating func parseNumber() throws -> Int? {
        let negative = peek() == UInt8(ascii: "-")
        if negative { position += 1 }
        guard let first = next(), Self.isDigit(first) else { throw invalid() }
        var value: Int? = 0
        var digit = first
        while true {
            if let current = value {
                let (product, overflow1) = current.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = product.subtractingReportingOverflow(Int(digit - UInt8(ascii: "0")))
                value = overflow1 || overflow2 ? nil : sum  // accumulated negatively: Int.min is reachable
            }
            if first == UInt8(ascii: "0") { break }  // no leading zeros
            guard let following = peek(), Self.isDigit(following) else { break }
            position += 1
            digit = following
        }
        var integral = true
        if peek() == UInt8(ascii: ".") {
            position += 1
            try digits()
            integral = false
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            try digits()
            integral = false
        }
        guard integral, let accumulated = value else { return nil }
        if negative { return accumulated }
        return accumulated == Int.min ? nil : -accumulated
    }

    /// One or more digits.
    private mutating func digits() throws {
        guard let first = next(), Self.isDigit(first) else { throw invalid() }
        while let byte = peek(), Self.isDigit(byte) { position += 1 }
    }

    private mutating func expectLiteral(_ rest: String) throws {
        for expected in rest.utf8 {
            guard next() == expected else { throw invalid() }
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard next() == byte else { throw invalid() }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func next() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    private func invalid() -> ModelStoreError {
        ModelStoreError.malformedHeader(
            file: file, reason: "not a JSON object of tensor entries (invalid JSON, UTF-8 or structure)")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// A key from the file for a message, cut to 200 characters.
    static func shown(_ key: String) -> String {
        key.count <= 200 ? key : key.prefix(200) + "… (\(key.utf8.count) bytes)"
    }
}
