/// The one error type of `ModelImport`: reading a foreign model file and converting it to a native model.
///
/// Messages say what failed, in which file and node, what was expected and what was found, and how to proceed.
/// Cases are private so new ones can be added without breaking callers; compare errors with `==`.
public struct ModelImportError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Kind: Equatable, Sendable {
        case cannotRead(file: String, reason: String)
        case unsupportedFormat(file: String)
        case notAGraphDef(file: String, reason: String)
        case unsupportedGraph(file: String, missing: String, found: String)
        case unsupportedNode(file: String, node: String, op: String, reason: String)
        case malformedNode(file: String, node: String, op: String, reason: String)
        case invalidConstant(file: String, node: String, reason: String)
        case inconsistentHeads(file: String, reason: String)
        case labelCount(file: String, slots: Int, given: Int)
        case noDefaultLabels(file: String, slots: Int)
        case notACaffeNet(file: String, reason: String)
        case caffeLayer(file: String, layer: String, type: String, reason: String)
    }

    private let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// The file could not be read.
    public static func cannotRead(file: String, reason: String) -> Self { Self(.cannotRead(file: file, reason: reason)) }
    /// The file's kind (by extension) has no importer.
    public static func unsupportedFormat(file: String) -> Self { Self(.unsupportedFormat(file: file)) }
    /// The bytes do not decode as a TensorFlow GraphDef protobuf.
    public static func notAGraphDef(file: String, reason: String) -> Self { Self(.notAGraphDef(file: file, reason: reason)) }
    /// The graph is a GraphDef but not a supported SSD: `missing` names what was looked for, `found` summarises the graph.
    public static func unsupportedGraph(file: String, missing: String, found: String) -> Self {
        Self(.unsupportedGraph(file: file, missing: missing, found: found))
    }
    /// A node inside the network part of the graph cannot be converted.
    public static func unsupportedNode(file: String, node: String, op: String, reason: String) -> Self {
        Self(.unsupportedNode(file: file, node: node, op: op, reason: reason))
    }
    /// A node's inputs break GraphDef rules: a reference that is not `name`, `name:port` or `^name`, names no node, a data
    /// input after a control edge, or the wrong number of data inputs for its op.
    public static func malformedNode(file: String, node: String, op: String, reason: String) -> Self {
        Self(.malformedNode(file: file, node: node, op: op, reason: reason))
    }
    /// A Const node the importer reads has the wrong type, shape or encoding.
    public static func invalidConstant(file: String, node: String, reason: String) -> Self {
        Self(.invalidConstant(file: file, node: node, reason: reason))
    }
    /// Box and class heads disagree with each other or with the anchor generator.
    public static func inconsistentHeads(file: String, reason: String) -> Self {
        Self(.inconsistentHeads(file: file, reason: reason))
    }
    /// The labels given do not match the number of class slots.
    public static func labelCount(file: String, slots: Int, given: Int) -> Self {
        Self(.labelCount(file: file, slots: slots, given: given))
    }
    /// The model's class count has no built-in label set and none was given.
    public static func noDefaultLabels(file: String, slots: Int) -> Self { Self(.noDefaultLabels(file: file, slots: slots)) }

    /// The bytes do not decode as a Caffe NetParameter (prototxt text or binary caffemodel), or exceed the read limits.
    public static func notACaffeNet(file: String, reason: String) -> Self { Self(.notACaffeNet(file: file, reason: reason)) }
    /// A Caffe layer cannot be converted: unsupported type or parameter, missing or misshapen blobs, bad connections.
    public static func caffeLayer(file: String, layer: String, type: String, reason: String) -> Self {
        Self(.caffeLayer(file: file, layer: layer, type: type, reason: reason))
    }

    public var description: String {
        switch kind {
        case .cannotRead(let file, let reason):
            return "cannot read '\(file)': \(reason)"
        case .unsupportedFormat(let file):
            return "'\(file)': unsupported model format; expected a TensorFlow frozen graph (.pb) or a torchvision SSD checkpoint (.pth)"
        case .notAGraphDef(let file, let reason):
            return "'\(file)' is not a TensorFlow frozen graph (GraphDef protobuf): \(reason); "
                + "pass the frozen_inference_graph.pb exported by the TF Object Detection API"
        case .unsupportedGraph(let file, let missing, let found):
            return "'\(file)' is not a supported TF Object Detection API SSD graph: \(missing); \(found)"
        case .unsupportedNode(let file, let node, let op, let reason):
            return "'\(file)': cannot convert node '\(Self.shown(node))' (op \(Self.shown(op))): \(reason)"
        case .malformedNode(let file, let node, let op, let reason):
            return "'\(file)': node '\(Self.shown(node))' (op \(Self.shown(op))) is malformed: \(reason); the graph is "
                + "corrupt or was not written by TensorFlow"
        case .invalidConstant(let file, let node, let reason):
            return "'\(file)': constant '\(Self.shown(node))' \(reason)"
        case .inconsistentHeads(let file, let reason):
            return "'\(file)': inconsistent SSD heads: \(reason)"
        case .labelCount(let file, let slots, let given):
            return "'\(file)': the model has \(slots) class slots (background included) but \(given) labels were "
                + "given; pass \(slots) labels, or \(slots - 1) without the background"
        case .noDefaultLabels(let file, let slots):
            return "'\(file)': no built-in labels for \(slots) class slots; pass the labels explicitly"
        case .notACaffeNet(let file, let reason):
            return "'\(file)' is not a usable Caffe net: \(reason)"
        case .caffeLayer(let file, let layer, let type, let reason):
            return "'\(file)': layer '\(Self.shown(layer))' (type \(Self.shown(type))): \(reason)"
        }
    }

    /// Longest name (node, op or input reference from the file) shown in full in a message.
    static let longestShownName = 200

    /// `text` cut to ``longestShownName`` characters, so a hostile file cannot make messages megabytes long.
    static func shown(_ text: String) -> String {
        text.count <= longestShownName ? text : text.prefix(longestShownName) + "… (\(text.utf8.count) bytes)"
    }
}
