import Foundation

/// A minimal XML element tree, enough for PASCAL VOC annotation files (elements and text; attributes, comments,
/// processing instructions and DOCTYPE are skipped; the five predefined entities are decoded).
struct XMLNode: Equatable {
    var name: String
    var text: String
    var children: [XMLNode]

    /// The first child called `name`.
    func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// All children called `name`.
    func children(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// Parses a document and returns its root element; the error message says what was wrong and where.
    static func parse(_ source: String) throws(XMLSyntaxError) -> XMLNode {
        var parser = XMLScanner(Array(source.utf8))
        return try parser.document()
    }
}

/// A syntax error with the byte offset at which it was found.
struct XMLSyntaxError: Error, Equatable {
    var message: String
    var offset: Int
}

/// A recursive-descent scanner over UTF-8 bytes.
private struct XMLScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(XMLSyntaxError) -> XMLNode {
        skipMiscellany()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "<") else { throw fail("expected the root element") }
        let root = try element()
        skipMiscellany()
        guard position == bytes.count else { throw fail("unexpected content after the root element") }
        return root
    }

    /// Skips whitespace, `<?…?>`, `<!--…-->` and `<!…>` between elements.
    mutating func skipMiscellany() {
        while position < bytes.count {
            if isSpace(bytes[position]) {
                position += 1
            } else if starts("<?") {
                skip(past: "?>")
            } else if starts("<!--") {
                skip(past: "-->")
            } else if starts("<!") {
                skip(past: ">")
            } else {
                return
            }
        }
    }

    mutating func element() throws(XMLSyntaxError) -> XMLNode {
        position += 1  // "<"
        let name = readName()
        guard !name.isEmpty else { throw fail("expected an element name") }
        // Attributes are not used by VOC; skip to the end of the tag, minding quoted values.
        var quote: UInt8? = nil
        while position < bytes.count {
            let c = bytes[position]
            if let q = quote { if c == q { quote = nil } } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { quote = c } else if c == UInt8(ascii: ">") { break }
            position += 1
        }
        guard position < bytes.count else { throw fail("unterminated tag <\(name)>") }
        let selfClosing = bytes[position - 1] == UInt8(ascii: "/")
        position += 1
        var node = XMLNode(name: name, text: "", children: [])
        if selfClosing { return node }
        var text: [UInt8] = []
        while true {
            guard position < bytes.count else { throw fail("missing </\(name)>") }
            if starts("</") {
                position += 2
                let closing = readName()
                guard closing == name else { throw fail("</\(closing)> closes <\(name)>") }
                while position < bytes.count, isSpace(bytes[position]) { position += 1 }
                guard position < bytes.count, bytes[position] == UInt8(ascii: ">") else { throw fail("malformed </\(name)>") }
                position += 1
                node.text = decodeEntities(String(decoding: text, as: UTF8.self)).trimmingCharacters(in: .whitespacesAndNewlines)
                return node
            } else if starts("<!--") {
                skip(past: "-->")
            } else if starts("<![CDATA[") {
                position += 9
                while position < bytes.count, !starts("]]>") { text.append(bytes[position]); position += 1 }
                position += 3
            } else if bytes[position] == UInt8(ascii: "<") {
                node.children.append(try element())
            } else {
                text.append(bytes[position])
                position += 1
            }
        }
    }

    mutating func readName() -> String {
        let start = position
        while position < bytes.count, !isSpace(bytes[position]), bytes[position] != UInt8(ascii: ">"), bytes[position] != UInt8(ascii: "/") {
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    func starts(_ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        return position + p.count <= bytes.count && Array(bytes[position..<(position + p.count)]) == p
    }

    mutating func skip(past terminator: String) {
        while position < bytes.count, !starts(terminator) { position += 1 }
        position = min(bytes.count, position + terminator.utf8.count)
    }

    func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    func fail(_ message: String) -> XMLSyntaxError { XMLSyntaxError(message: message, offset: position) }

    func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
