import Foundation

/// Checks API answers against an OpenAPI 3.0 document: finds the operation's response for a path and status, and
/// validates the body against its schema (a JSON-Schema subset: `$ref` into the document, `type`, `nullable`,
/// `required`, `properties`, `additionalProperties`, `items`, `enum`, `oneOf`, `minimum`/`maximum`,
/// `minItems`/`maxItems`, `minLength`, `uniqueItems`). Unknown schema keywords are refused, so a document using a
/// keyword this validator ignores fails loudly instead of passing silently.
public struct OpenAPIValidator: Sendable {
    /// The parsed document.
    public let document: JSONValue

    /// The schema keywords understood (plus annotations that do not constrain).
    static let keywords: Set<String> = [
        "$ref", "type", "nullable", "required", "properties", "additionalProperties", "items", "enum", "oneOf", "minimum",
        "maximum", "minItems", "maxItems", "minLength", "uniqueItems", "description", "format", "default",
    ]

    public init(document bytes: [UInt8]) throws {
        document = try JSONValue(parsing: bytes)
        guard document["openapi"]?.stringValue?.hasPrefix("3.0") == true else { throw Problem("not an OpenAPI 3.0 document") }
    }

    /// A validation failure with every problem found.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The path templates of the document (`/api/v1/streams/{name}`…).
    public var pathTemplates: [String] { document["paths"]?.objectValue.map { Array($0.keys).sorted() } ?? [] }

    /// The path template that `path` (no query) matches, e.g. `/api/v1/streams/cam1` → `/api/v1/streams/{name}`;
    /// literal templates win over ones with parameters.
    public func template(matching path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let candidates = pathTemplates.filter { template in
            let parts = template.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == segments.count else { return false }
            return zip(parts, segments).allSatisfy { part, segment in
                (part.hasPrefix("{") && part.hasSuffix("}") && !segment.isEmpty) || part == segment
            }
        }
        return candidates.min { $0.filter { $0 == "{" }.count < $1.filter { $0 == "{" }.count }
    }

    /// The schema documented for `method path` answering `status` with `contentType`; throws when the document does
    /// not describe that answer (an undocumented status is a failure).
    public func responseSchema(method: String, path: String, status: Int, contentType: String) throws -> JSONValue? {
        guard let template = template(matching: path) else { throw Problem("\(path) matches no path of the document") }
        guard let operation = document["paths"]?[template]?[method.lowercased()] else {
            throw Problem("\(method) \(template) is not documented")
        }
        guard let responses = operation["responses"], let response = responses["\(status)"] ?? responses["default"] else {
            throw Problem("\(method) \(template) does not document status \(status)")
        }
        let resolved = try resolve(response)
        guard let content = resolved["content"]?.objectValue else { return nil }
        let mediaType = contentType.split(separator: ";").first.map { String($0).trimmed(of: " ") } ?? contentType
        guard let media = content[mediaType] else {
            throw Problem("\(method) \(template) \(status) documents \(content.keys.sorted()), not \(mediaType)")
        }
        return media["schema"]
    }

    /// Validates an answer: status documented, content type documented, and (for JSON) the body matches the schema.
    public func validate(method: String, path: String, status: Int, contentType: String, body: [UInt8]) throws {
        let schema = try responseSchema(method: method, path: path, status: status, contentType: contentType)
        guard contentType.hasPrefix("application/json"), let schema else { return }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: body)
        } catch {
            throw Problem("\(method) \(path) \(status): body is not JSON: \(error)")
        }
        let problems = try problems(in: value, schema: schema, at: "$")
        guard problems.isEmpty else { throw Problem("\(method) \(path) \(status): " + problems.joined(separator: "; ")) }
    }

    /// Validates `value` against the component schema `name` (`#/components/schemas/name`).
    public func validate(_ value: JSONValue, component name: String) throws {
        let problems = try problems(in: value, schema: .object(["$ref": .string("#/components/schemas/\(name)")]), at: "$")
        guard problems.isEmpty else { throw Problem("\(name): " + problems.joined(separator: "; ")) }
    }

    /// Follows `$ref`s (local ones only) until a schema or response without one.
    public func resolve(_ node: JSONValue) throws -> JSONValue {
        var node = node
        var hops = 0
        while let reference = node["$ref"]?.stringValue {
            hops += 1
            guard hops < 32, reference.hasPrefix("#/") else { throw Problem("unresolvable $ref \(reference)") }
            var target = document
            for part in reference.dropFirst(2).split(separator: "/") {
                let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                guard let next = target[key] else { throw Problem("$ref \(reference) points nowhere") }
                target = next
            }
            node = target
        }
        return node
    }

    /// Every way `value` breaks `schema`, as `location: problem`; empty when it conforms.
    public func problems(in value: JSONValue, schema rawSchema: JSONValue, at location: String) throws -> [String] {
        let schema = try resolve(rawSchema)
        guard let keys = schema.objectValue?.keys else { throw Problem("\(location): schema is not an object") }
        if let unknown = keys.first(where: { !Self.keywords.contains($0) }) { throw Problem("\(location): unsupported schema keyword \(unknown)") }
        if value == .null {
            if schema["nullable"] == .bool(true) || schema["type"] == nil && schema["oneOf"] == nil { return [] }
            return ["\(location): null where \(schema["type"]?.stringValue ?? "a value") is required"]
        }
        var found: [String] = []
        if let type = schema["type"]?.stringValue, let problem = typeProblem(value, type: type) {
            return ["\(location): \(problem)"]
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(where: { Self.equal($0, value) }) {
            found.append("\(location): \(value) is not one of \(allowed)")
        }
        if let number = value.doubleValue {
            if let minimum = schema["minimum"]?.doubleValue, number < minimum { found.append("\(location): \(number) < minimum \(minimum)") }
            if let maximum = schema["maximum"]?.doubleValue, number > maximum { found.append("\(location): \(number) > maximum \(maximum)") }
        }
        if let text = value.stringValue, let minLength = schema["minLength"]?.doubleValue, Double(text.count) < minLength {
            found.append("\(location): string shorter than \(Int(minLength))")
        }
        if let items = value.arrayValue {
            if let minItems = schema["minItems"]?.doubleValue, Double(items.count) < minItems {
                found.append("\(location): fewer than \(Int(minItems)) items")
            }
            if let maxItems = schema["maxItems"]?.doubleValue, Double(items.count) > maxItems {
                found.append("\(location): more than \(Int(maxItems)) items")
            }
            if schema["uniqueItems"] == .bool(true), items.enumerated().contains(where: { entry in items[..<entry.offset].contains(entry.element) }) {
                found.append("\(location): items are not unique")
            }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() { found += try problems(in: item, schema: itemSchema, at: "\(location)[\(index)]") }
            }
        }
        if let members = value.objectValue {
            let properties = schema["properties"]?.objectValue ?? [:]
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                found.append("\(location): required property \(name) is missing")
            }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let propertySchema = properties[name] {
                    found += try problems(in: member, schema: propertySchema, at: "\(location).\(name)")
                } else {
                    switch schema["additionalProperties"] {
                    case .bool(false)?: found.append("\(location): property \(name) is not allowed")
                    case let extra? where extra.objectValue != nil: found += try problems(in: member, schema: extra, at: "\(location).\(name)")
                    default: break
                    }
                }
            }
        }
        if let alternatives = schema["oneOf"]?.arrayValue {
            var matching = 0
            var reasons: [String] = []
            for (index, alternative) in alternatives.enumerated() {
                let problems = try problems(in: value, schema: alternative, at: location)
                if problems.isEmpty { matching += 1 } else { reasons.append("alternative \(index + 1): \(problems.joined(separator: ", "))") }
            }
            if matching != 1 {
                found.append("\(location): matches \(matching) of the oneOf alternatives, not exactly one (\(reasons.joined(separator: " | ")))")
            }
        }
        return found
    }

    private func typeProblem(_ value: JSONValue, type: String) -> String? {
        let matches: Bool
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .integer): matches = true
        case ("number", .integer), ("number", .number): matches = true
        default: matches = false
        }
        return matches ? nil : "\(value) is not of type \(type)"
    }

    private static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if let left = lhs.doubleValue, let right = rhs.doubleValue { return left == right }
        return lhs == rhs
    }
}

extension String {
    fileprivate func trimmed(of blank: Character) -> String {
        String(drop { $0 == blank }.reversed().drop { $0 == blank }.reversed())
    }
}
