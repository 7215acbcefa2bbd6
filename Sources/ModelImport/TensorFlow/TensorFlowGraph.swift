import Foundation
import SwiftProtobuf

/// A parsed TensorFlow `GraphDef` indexed by node name, with helpers to follow inputs and read constants.
///
/// Parsing checks every node's input references (each is `name`, `name:port` or `^name`, names a node of the graph,
/// and control edges come after data inputs) and, for the ops the importer reads (``TensorFlowOpArity``), the number
/// of data inputs; so readers may index ``dataInputs(of:)`` of such nodes freely.
struct TensorFlowGraph {
    /// Path of the file (for error messages).
    let file: String
    /// Nodes in file order.
    let nodes: [Tensorflow_NodeDef]
    /// Caps the elements decoded from constants (shared by every copy of this graph).
    let budget: TensorFlowDecodingBudget
    private let indexByName: [String: Int]
    /// For each node, the node that computes its value once Identity chains are followed (nil inside an Identity cycle).
    private let identityTargets: [Int?]

    /// Parses serialized GraphDef bytes; throws ``ModelImportError/notAGraphDef(file:reason:)`` for anything that does
    /// not decode or holds no nodes, ``ModelImportError/malformedNode(file:node:op:reason:)`` for bad input lists.
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
                    file: file,
                    reason: "node names must be unique and non-empty ('\(ModelImportError.shown(node.name))' at index \(position))")
            }
        }
        for node in graph.node {
            try Self.checkInputs(of: node, index: index, file: file)
        }
        self.file = file
        self.nodes = graph.node
        self.indexByName = index
        self.identityTargets = Self.identityTargets(graph.node, index: index)
        self.budget = TensorFlowDecodingBudget(fileSize: data.count)
    }

    /// The node with this exact name.
    func node(named name: String) -> Tensorflow_NodeDef? {
        indexByName[name].map { nodes[$0] }
    }

    /// The node an input reference ("name", "name:1", "^name") points to.
    func producer(of input: String) -> Tensorflow_NodeDef? {
        node(named: Self.nodeName(of: input))
    }

    /// The data inputs of `node` (control edges, which parsing checked come last, left out).
    func dataInputs(of node: Tensorflow_NodeDef) -> [String] {
        Array(node.input.prefix { !$0.hasPrefix("^") })
    }

    /// Follows `Identity` nodes from `input` to the node that computes the value; nil for an unknown name or an
    /// Identity cycle. Constant time: the chains are resolved once when the graph is parsed.
    func resolvingIdentity(_ input: String) -> Tensorflow_NodeDef? {
        guard let position = indexByName[Self.nodeName(of: input)], let target = identityTargets[position] else { return nil }
        return nodes[target]
    }

    /// The node-name part of an input reference: without a leading `^` and a trailing `:digits`.
    static func nodeName(of input: String) -> String {
        var name = input.hasPrefix("^") ? Substring(input.dropFirst()) : Substring(input)
        if let colon = name.lastIndex(of: ":"), name[name.index(after: colon)...].utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            name = name[..<colon]
        }
        return String(name)
    }

    /// Whether any node's name starts with `prefix`.
    func hasNodes(withPrefix prefix: String) -> Bool {
        nodes.contains { $0.name.hasPrefix(prefix) }
    }

    /// "found N nodes, ops: A, B, …" — what the graph contains, for errors about unsupported graphs.
    var contentsSummary: String {
        var seen = Set<String>()
        let ops = nodes.map(\.op).filter { seen.insert($0).inserted }
        let shown =
            ops.prefix(12).map(ModelImportError.shown).joined(separator: ", ")
            + (ops.count > 12 ? ", … (\(ops.count) op types)" : "")
        return "found \(nodes.count) nodes, ops: \(shown)"
    }

    /// Checks the syntax, targets and order of `node`'s inputs, and their count for ops the importer reads.
    private static func checkInputs(of node: Tensorflow_NodeDef, index: [String: Int], file: String) throws {
        func malformed(_ reason: String) -> ModelImportError {
            ModelImportError.malformedNode(file: file, node: node.name, op: node.op, reason: reason)
        }
        var dataInputs = 0
        var sawControl = false
        for (position, text) in node.input.enumerated() {
            let shown = ModelImportError.shown(text)
            guard let reference = TensorFlowInputReference(text) else {
                throw malformed("input \(position) '\(shown)' is not 'name', 'name:port' or '^name'")
            }
            guard index[reference.node] != nil else {
                throw malformed("input \(position) '\(shown)' names no node of the graph")
            }
            if reference.isControl {
                sawControl = true
            } else {
                guard !sawControl else {
                    throw malformed("data input \(position) '\(shown)' follows a control input (control inputs '^name' come last)")
                }
                dataInputs += 1
            }
        }
        if let expected = TensorFlowOpArity.dataInputs[node.op], dataInputs != expected {
            throw malformed("it has \(dataInputs) data input\(dataInputs == 1 ? "" : "s"), \(node.op) takes \(expected)")
        }
    }

    /// Resolves every Identity chain once (iteratively: chains may be hundreds of thousands of nodes long).
    private static func identityTargets(_ nodes: [Tensorflow_NodeDef], index: [String: Int]) -> [Int?] {
        enum State { case unvisited, onPath, resolved(Int?) }
        var states = [State](repeating: .unvisited, count: nodes.count)
        for start in nodes.indices {
            guard case .unvisited = states[start] else { continue }
            var path: [Int] = []
            var current = start
            var target: Int?
            while true {
                if case .resolved(let known) = states[current] { target = known; break }
                if case .onPath = states[current] { target = nil; break }  // an Identity cycle
                guard nodes[current].op == "Identity", let input = nodes[current].input.first,
                    let reference = TensorFlowInputReference(input), !reference.isControl,
                    let next = index[reference.node]
                else {
                    target = current
                    break
                }
                states[current] = .onPath
                path.append(current)
                current = next
            }
            if case .unvisited = states[current] { states[current] = .resolved(target) }
            for position in path { states[position] = .resolved(target) }
        }
        return states.map { state in
            if case .resolved(let target) = state { return target }
            return nil
        }
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
