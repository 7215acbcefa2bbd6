import Foundation
import SwiftProtobuf

/// A parsed TensorFlow `GraphDef` indexed by node name, with helpers to follow inputs and read constants.
struct TensorFlowGraph {
    /// Path of the file (for error messages).
    let file: String
    /// Nodes in file order.
    let nodes: [Tensorflow_NodeDef]
    private let indexByName: [String: Int]

    /// Parses serialized GraphDef bytes; throws ``ModelImportError/notAGraphDef(file:reason:)`` for anything that does
    /// not decode or holds no nodes.
    init(serialized data: Data, file: String) throws {
        let graph: Tensorflow_GraphDef
        do {
            graph = try Tensorflow_GraphDef(serializedBytes: data)
        } catch let error as BinaryDecodingError {
            throw ModelImportError.notAGraphDef(file: file, reason: Self.describe(error))
        } catch {
            throw ModelImportError.notAGraphDef(file: file, reason: "protobuf decoding failed")
        }
        guard !graph.node.isEmpty else {
            throw ModelImportError.notAGraphDef(file: file, reason: "it decodes to a GraphDef without nodes")
        }
        var index: [String: Int] = [:]
        for (position, node) in graph.node.enumerated() {
            guard !node.name.isEmpty, index.updateValue(position, forKey: node.name) == nil else {
                throw ModelImportError.notAGraphDef(
                    file: file, reason: "node names must be unique and non-empty ('\(node.name)' at index \(position))")
            }
        }
        self.file = file
        self.nodes = graph.node
        self.indexByName = index
    }

    /// The node with this exact name.
    func node(named name: String) -> Tensorflow_NodeDef? {
        indexByName[name].map { nodes[$0] }
    }

    /// The node an input reference ("name", "name:1", "^name") points to.
    func producer(of input: String) -> Tensorflow_NodeDef? {
        node(named: Self.nodeName(of: input))
    }

    /// Follows `Identity` nodes from `input` to the node that computes the value.
    func resolvingIdentity(_ input: String) -> Tensorflow_NodeDef? {
        var current = producer(of: input)
        var steps = 0
        while let node = current, node.op == "Identity", let next = node.input.first, steps < nodes.count {
            current = producer(of: next)
            steps += 1
        }
        return current
    }

    /// The node-name part of an input reference.
    static func nodeName(of input: String) -> String {
        var name = input.hasPrefix("^") ? String(input.dropFirst()) : input
        if let colon = name.lastIndex(of: ":"), name[name.index(after: colon)...].allSatisfy(\.isNumber) {
            name = String(name[..<colon])
        }
        return name
    }

    /// Whether any node's name starts with `prefix`.
    func hasNodes(withPrefix prefix: String) -> Bool {
        nodes.contains { $0.name.hasPrefix(prefix) }
    }

    /// "found N nodes, ops: A, B, …" — what the graph contains, for errors about unsupported graphs.
    var contentsSummary: String {
        var seen = Set<String>()
        let ops = nodes.map(\.op).filter { seen.insert($0).inserted }
        let shown = ops.prefix(12).joined(separator: ", ") + (ops.count > 12 ? ", … (\(ops.count) op types)" : "")
        return "found \(nodes.count) nodes, ops: \(shown)"
    }

    private static func describe(_ error: BinaryDecodingError) -> String {
        switch error {
        case .truncated: return "the protobuf data is truncated"
        case .malformedProtobuf: return "the bytes are not a valid protobuf"
        case .invalidUTF8: return "a string field is not valid UTF-8"
        case .messageDepthLimit: return "messages are nested too deeply"
        default: return "protobuf decoding failed (\(error))"
        }
    }
}
