/// The object-building opcodes: REDUCE, NEWOBJ and BINPERSID, limited to what a torch checkpoint needs.
extension PickleMachine {
    /// Storage types whose elements this reader can convert, by their `torch.*Storage` name; others are named in errors.
    static let float32Storage = "torch.FloatStorage"

    /// REDUCE: `callable(*arguments)` for the callables a state_dict uses; anything else becomes an opaque object.
    mutating func reduce() throws(TorchCheckpointError) {
        let arguments = try pop()
        let callable = try pop()
        guard case .global(let module, let name) = callable else {
            throw malformed("REDUCE on a \(callable.typeName), not a global")
        }
        guard case .tuple(let args) = arguments else { throw malformed("REDUCE arguments are a \(arguments.typeName)") }
        switch (module, name) {
        case ("collections", "OrderedDict"), ("builtins", "dict"), ("__builtin__", "dict"):
            push(.dict(PickleDict()))
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            push(.tensor(try rebuildTensor(args)))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            guard case .tensor(let tensor)? = args.first else {
                throw malformed("\(name) expects a tensor, got \(args.first?.typeName ?? "nothing")")
            }
            push(.tensor(tensor))
        default:
            push(.opaque("\(module).\(name)"))
        }
    }

    /// NEWOBJ: `cls.__new__(cls, *args)`; only ever needed for objects this reader ignores.
    mutating func newObject() throws(TorchCheckpointError) {
        _ = try pop()
        let cls = try pop()
        push(.opaque(cls.typeName))
    }

    /// BINPERSID with torch's `('storage', storage_type, key, location, numel)`.
    func persistentLoad(_ pid: PickleValue) throws(TorchCheckpointError) -> PickleValue {
        guard case .tuple(let fields) = pid, fields.count == 5, case .string("storage") = fields[0],
            case .global(let module, let name) = fields[1], case .string(let key) = fields[2],
            case .int(let count) = fields[4], count >= 0
        else {
            throw TorchCheckpointError.unsupportedObject(
                file: file, reason: "persistent id \(pid.typeName) is not torch's ('storage', type, key, location, numel)")
        }
        return .storage(TorchStorageReference(storageType: "\(module).\(name)", key: key, elementCount: count))
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`.
    private func rebuildTensor(_ args: [PickleValue]) throws(TorchCheckpointError) -> TorchTensorReference {
        guard args.count >= 4, case .storage(let storage) = args[0], case .int(let offset) = args[1], offset >= 0,
            case .tuple(let size) = args[2], case .tuple(let stride) = args[3]
        else {
            throw malformed(
                "_rebuild_tensor_v2 expects (storage, offset, size, stride, …), got ("
                    + args.map(\.typeName).joined(separator: ", ") + ")")
        }
        let shape = try integers(size, what: "size")
        let strides = try integers(stride, what: "stride")
        guard shape.count == strides.count else { throw malformed("tensor size \(shape) and stride \(strides) differ in rank") }
        return TorchTensorReference(storage: storage, storageOffset: offset, shape: shape, strides: strides)
    }

    private func integers(_ values: [PickleValue], what: String) throws(TorchCheckpointError) -> [Int] {
        var result: [Int] = []
        for value in values {
            guard case .int(let n) = value, n >= 0 else { throw malformed("tensor \(what) holds \(value.typeName), not a non-negative int") }
            result.append(n)
        }
        return result
    }
}
