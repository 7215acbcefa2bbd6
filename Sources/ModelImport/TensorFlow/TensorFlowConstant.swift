import Foundation

/// The value of a TensorFlow `Const` node, decoded to Swift numbers.
struct TensorFlowConstant {
    /// Node the value came from.
    let node: String
    /// Dimensions (empty for a scalar).
    let shape: [Int]
    let dataType: Tensorflow_DataType
    private let tensor: Tensorflow_TensorProto

    /// Number of elements (checked not to overflow when the constant was read).
    let elementCount: Int

    /// Highest rank accepted; the importer reads scalars, vectors and 4-D convolution weights.
    static let maximumRank = 8

    /// Reads the `value` attribute of a `Const` node; throws when the node is not a Const or its shape is invalid.
    init(_ node: Tensorflow_NodeDef, file: String) throws {
        guard node.op == "Const", let tensor = node.attr["value"]?.tensor else {
            throw ModelImportError.invalidConstant(file: file, node: node.name, reason: "is not a Const (op \(ModelImportError.shown(node.op)))")
        }
        let dims = tensor.tensorShape.dim
        guard !tensor.tensorShape.unknownRank, dims.count <= Self.maximumRank else {
            throw ModelImportError.invalidConstant(
                file: file, node: node.name,
                reason: "has rank \(tensor.tensorShape.unknownRank ? "unknown" : String(dims.count)), expected at most \(Self.maximumRank)")
        }
        let shape = dims.map { Int($0.size) }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, dimension < 1 << 31, !overflow else {
                throw ModelImportError.invalidConstant(
                    file: file, node: node.name,
                    reason: "has an invalid shape \(shape) (a negative or too large dimension, or more than \(Int.max) elements)")
            }
            count = product
        }
        self.node = node.name
        self.shape = shape
        self.elementCount = count
        self.dataType = tensor.dtype
        self.tensor = tensor
    }

    /// The values as float32 (DT_FLOAT or DT_DOUBLE); a single listed value is broadcast to the whole shape.
    func floats(file: String, budget: TensorFlowDecodingBudget) throws -> [Float] {
        let count = elementCount
        try budget.reserve(count, node: node, shape: shape, file: file)
        switch dataType {
        case .dtFloat:
            if !tensor.tensorContent.isEmpty {
                return try fromContent(count: count, width: 4, file: file) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
            }
            return try broadcast(tensor.floatVal, count: count, file: file)
        case .dtDouble:
            if !tensor.tensorContent.isEmpty {
                return try fromContent(count: count, width: 8, file: file) { Float(Double(bitPattern: $0)) }
            }
            return try broadcast(tensor.doubleVal.map { Float($0) }, count: count, file: file)
        default:
            throw ModelImportError.invalidConstant(
                file: file, node: node, reason: "has type \(dataType), expected a float tensor")
        }
    }

    /// The values as integers (DT_INT32 or DT_INT64).
    func integers(file: String, budget: TensorFlowDecodingBudget) throws -> [Int] {
        let count = elementCount
        try budget.reserve(count, node: node, shape: shape, file: file)
        switch dataType {
        case .dtInt32:
            if !tensor.tensorContent.isEmpty {
                return try fromContent(count: count, width: 4, file: file) { Int(Int32(truncatingIfNeeded: $0)) }
            }
            return try broadcast(tensor.intVal.map { Int($0) }, count: count, file: file)
        case .dtInt64:
            if !tensor.tensorContent.isEmpty {
                return try fromContent(count: count, width: 8, file: file) { Int(Int64(bitPattern: $0)) }
            }
            return try broadcast(tensor.int64Val.map { Int($0) }, count: count, file: file)
        default:
            throw ModelImportError.invalidConstant(
                file: file, node: node, reason: "has type \(dataType), expected an integer tensor")
        }
    }

    private func fromContent<T>(count: Int, width: Int, file: String, _ convert: (UInt64) -> T) throws -> [T] {
        let content = tensor.tensorContent
        // `count` is within the budget, so `count * width` cannot overflow.
        guard content.count == count * width else {
            throw ModelImportError.invalidConstant(
                file: file, node: node,
                reason: "holds \(content.count) bytes of tensor_content, expected \(count * width) for shape \(shape)")
        }
        return content.withUnsafeBytes { raw in
            (0..<count).map { index in
                var bits: UInt64 = 0
                for byte in (0..<width).reversed() {
                    bits = bits << 8 | UInt64(raw[index * width + byte])
                }
                return convert(bits)
            }
        }
    }

    private func broadcast<T>(_ values: [T], count: Int, file: String) throws -> [T] {
        if values.count == count { return values }
        if values.count == 1 { return Array(repeating: values[0], count: count) }
        throw ModelImportError.invalidConstant(
            file: file, node: node, reason: "lists \(values.count) values for shape \(shape) (\(count) elements)")
    }
}

extension TensorFlowGraph {
    /// The Const behind `input` (following Identity nodes), not yet decoded.
    func constant(_ input: String) throws -> TensorFlowConstant {
        guard let node = resolvingIdentity(input) else {
            throw ModelImportError.unsupportedGraph(
                file: file, missing: "no node '\(ModelImportError.shown(input))' (or an Identity cycle)", found: contentsSummary)
        }
        if node.op == "Const", let port = TensorFlowInputReference(input)?.port, port != 0 {
            throw ModelImportError.invalidConstant(
                file: file, node: node.name, reason: "is read as output \(port), but a Const has only output 0")
        }
        return try TensorFlowConstant(node, file: file)
    }

    /// Float values of the Const behind `input`, within the file's ``budget``.
    func floats(_ input: String) throws -> [Float] {
        try constant(input).floats(file: file, budget: budget)
    }

    /// Integer values of the Const behind `input`, within the file's ``budget``.
    func integers(_ input: String) throws -> [Int] {
        try constant(input).integers(file: file, budget: budget)
    }
}
