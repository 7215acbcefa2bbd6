import Foundation

/// The value of a TensorFlow `Const` node, decoded to Swift numbers.
struct TensorFlowConstant {
    /// Node the value came from.
    let node: String
    /// Dimensions (empty for a scalar).
    let shape: [Int]
    let dataType: Tensorflow_DataType
    private let tensor: Tensorflow_TensorProto

    /// Number of elements.
    var elementCount: Int { shape.reduce(1, *) }

    /// Reads the `value` attribute of a `Const` node; throws when the node is not a Const or its shape is invalid.
    init(_ node: Tensorflow_NodeDef, file: String) throws {
        guard node.op == "Const", let tensor = node.attr["value"]?.tensor else {
            throw ModelImportError.invalidConstant(file: file, node: node.name, reason: "is not a Const (op \(node.op))")
        }
        let shape = tensor.tensorShape.dim.map { Int($0.size) }
        guard !tensor.tensorShape.unknownRank, shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }) else {
            throw ModelImportError.invalidConstant(file: file, node: node.name, reason: "has an invalid shape \(shape)")
        }
        self.node = node.name
        self.shape = shape
        self.dataType = tensor.dtype
        self.tensor = tensor
    }

    /// The values as float32 (DT_FLOAT or DT_DOUBLE); a single listed value is broadcast to the whole shape.
    func floats(file: String) throws -> [Float] {
        let count = elementCount
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
    func integers(file: String) throws -> [Int] {
        let count = elementCount
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
    /// The Const behind `input` (following Identity nodes), decoded.
    func constant(_ input: String) throws -> TensorFlowConstant {
        guard let node = resolvingIdentity(input) else {
            throw ModelImportError.unsupportedGraph(file: file, missing: "no node '\(input)'", found: contentsSummary)
        }
        return try TensorFlowConstant(node, file: file)
    }

    /// Float values of the Const behind `input`.
    func floats(_ input: String) throws -> [Float] {
        try constant(input).floats(file: file)
    }

    /// Integer values of the Const behind `input`.
    func integers(_ input: String) throws -> [Int] {
        try constant(input).integers(file: file)
    }
}
