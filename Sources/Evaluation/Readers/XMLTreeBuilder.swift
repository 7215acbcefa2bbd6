import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Builds an ``XMLNode`` tree from `XMLParser`'s (libxml2's) events, enforcing ``XMLLimits`` as it goes.
///
/// External entities are never resolved, and a document that declares entities is refused before parsing (no VOC
/// file needs them, and they are the way to inflate a small document). The first error libxml2 reports stops the
/// parse and is described from its code, its position and the element open at that point. (`XMLParser` on Linux may
/// return true from `parse()` after an error, or for a document that ends early, so the builder keeps its own record.)
final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    /// Where and why parsing stopped.
    private struct Stop {
        var message: String
        var line: Int
        var column: Int
    }

    private let limits: XMLLimits
    /// Open elements, outermost first, with the text seen so far.
    private var stack: [(node: XMLNode, text: [UInt8])] = []
    private var root: XMLNode?
    private var elements = 0
    private var textBytes = 0
    /// The first error or refusal.
    private var stop: Stop?

    private init(limits: XMLLimits) {
        self.limits = limits
    }

    /// Parses `data` into a tree.
    static func parse(_ data: Data, limits: XMLLimits) throws(XMLSyntaxError) -> XMLNode {
        if let offset = data.firstRange(of: Data("<!ENTITY".utf8))?.lowerBound {
            let (line, column) = lineAndColumn(of: offset, in: data)
            throw XMLSyntaxError(message: "entity declarations are not accepted", line: line, column: column)
        }
        let builder = XMLTreeBuilder(limits: limits)
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = builder
        _ = parser.parse()
        if let stop = builder.stop {
            throw XMLSyntaxError(message: stop.message, line: stop.line, column: stop.column)
        }
        let (line, column) = (max(parser.lineNumber, 1), max(parser.columnNumber, 1))
        if let open = builder.stack.last {
            throw XMLSyntaxError(message: "missing </\(open.node.name)>", line: line, column: column)
        }
        guard let root = builder.root else {
            throw XMLSyntaxError(message: "expected the root element (the document is empty or ends inside a tag)", line: line, column: column)
        }
        return root
    }

    /// libxml2's `xmlParserErrors` values that get their own message (the rest are named by number).
    private enum LibXML2Error {
        static let documentStart = 3, documentEmpty = 4, documentEnd = 5, entityReferenceWithoutSemicolon = 23
        static let undeclaredEntity = 26, tagNameMismatch = 76
    }

    /// What a libxml2 error code means here, given the element open when it was reported.
    private func message(code: Int) -> String {
        let inside = stack.last.map { " in <\($0.node.name)>" } ?? ""
        switch code {
        case LibXML2Error.documentStart, LibXML2Error.documentEmpty:
            return "expected the root element"
        case LibXML2Error.documentEnd:
            // XML_ERR_DOCUMENT_END: the data ended with elements open, or something followed the root element.
            return stack.last.map { "missing </\($0.node.name)>" } ?? "unexpected content after the root element"
        case LibXML2Error.tagNameMismatch:
            return stack.last.map { "the end tag does not close <\($0.node.name)>" } ?? "mismatched end tag"
        case LibXML2Error.undeclaredEntity, LibXML2Error.entityReferenceWithoutSemicolon:
            return "unknown or malformed entity reference" + inside
        default:
            return "not well-formed XML (libxml2 error \(code))" + inside
        }
    }

    /// 1-based line and column (in bytes) of `offset`.
    private static func lineAndColumn(of offset: Int, in data: Data) -> (Int, Int) {
        let before = data[data.startIndex..<offset]
        let lastNewline = before.lastIndex(of: 0x0A)
        return (before.count(where: { $0 == 0x0A }) + 1, offset - (lastNewline.map { $0 + 1 } ?? data.startIndex) + 1)
    }

    /// Records the first reason to stop, with the parser's position, and stops the parse.
    private func halt(_ parser: XMLParser, _ message: String) {
        if stop == nil { stop = Stop(message: message, line: max(parser.lineNumber, 1), column: max(parser.columnNumber, 1)) }
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard stop == nil else { return }
        halt(parser, message(code: (parseError as NSError).code))
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        guard stop == nil else { return }
        elements += 1
        guard elements <= limits.elements else { return halt(parser, "more than \(limits.elements) elements") }
        guard stack.count < limits.depth else { return halt(parser, "elements nest more than \(limits.depth) deep") }
        guard root == nil || !stack.isEmpty else { return halt(parser, "unexpected content after the root element") }
        stack.append((XMLNode(name: elementName, text: "", children: []), []))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard stop == nil, let (open, text) = stack.popLast() else { return }
        var node = open
        node.text = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].node.children.append(node)
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        append(parser, Array(string.utf8))
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        append(parser, Array(CDATABlock))
    }

    private func append(_ parser: XMLParser, _ bytes: [UInt8]) {
        guard stop == nil, !stack.isEmpty else { return }
        textBytes += bytes.count
        guard textBytes <= limits.textBytes else { return halt(parser, "more than \(limits.textBytes) bytes of text") }
        stack[stack.count - 1].text += bytes
    }
}
