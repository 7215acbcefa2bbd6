import Foundation

/// An XML element tree, enough for PASCAL VOC annotation files: element names, their trimmed text and their children
/// (attributes, comments and processing instructions are dropped). Built by FoundationXML's `XMLParser`
/// (libxml2) through ``XMLTreeBuilder``.
struct XMLNode: Equatable {
    var name: String
    var text: String
    var children: [XMLNode]

    /// The first child called `name`.
    func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// All children called `name`.
    func children(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// Parses a document and returns its root element; the error says what was wrong and where.
    static func parse(_ data: Data, limits: XMLLimits = XMLLimits()) throws(XMLSyntaxError) -> XMLNode {
        try XMLTreeBuilder.parse(data, limits: limits)
    }
}

/// Bounds on what one document may make the parser build; a document past any of them is refused.
struct XMLLimits: Sendable {
    /// Elements in the document (a VOC file has a few dozen).
    var elements = 100_000
    /// Nesting depth of elements.
    var depth = 64
    /// Bytes of text in all elements together, after entity expansion.
    var textBytes = 16 << 20
}

/// Why a document could not be read, with the line and column (1-based) where the parser stopped.
struct XMLSyntaxError: Error, Equatable {
    var message: String
    var line: Int
    var column: Int

    /// `line L, column C`, the element of an ``EvaluationError``.
    var location: String { "line \(line), column \(column)" }
}
