/// A value on the stack of the pickle machine: the few Python types a torch state_dict pickle builds.
///
/// Lists and dicts are reference types because pickle mutates them after they have been memoised (APPEND, SETITEM).
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A `module.name` reference from GLOBAL, not yet called.
    case global(module: String, name: String)
    /// A storage named by BINPERSID.
    case storage(TorchStorageReference)
    /// The result of `torch._utils._rebuild_tensor_v2` (or `_rebuild_parameter`): a view into a storage.
    case tensor(TorchTensorReference)
    /// Any other object (e.g. an `argparse.Namespace` in a training checkpoint); kept only by its type name.
    case opaque(String)

    /// Python-like type name, for error messages.
    var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let module, let name): return "\(module).\(name)"
        case .storage: return "storage"
        case .tensor: return "tensor"
        case .opaque(let name): return name
        }
    }
}

/// A Python list being built by the pickle machine.
final class PickleList {
    var items: [PickleValue] = []
    /// Containers nested in it, plus one (see ``PickleMachine/maximumNesting``).
    var nesting = 1
    /// Whether it has been put into another container (after which it may not grow deeper).
    var isNested = false
}

/// A Python dict being built by the pickle machine; keeps insertion order (state_dict order) and the last value of a
/// repeated key.
final class PickleDict {
    private(set) var entries: [(key: PickleValue, value: PickleValue)] = []
    /// Containers nested in it, plus one (see ``PickleMachine/maximumNesting``).
    var nesting = 1
    /// Whether it has been put into another container (after which it may not grow deeper).
    var isNested = false
    private var indexOfString: [String: Int] = [:]

    func set(_ key: PickleValue, _ value: PickleValue) {
        if case .string(let name) = key, let index = indexOfString[name] {
            entries[index].value = value
            return
        }
        if case .string(let name) = key { indexOfString[name] = entries.count }
        entries.append((key, value))
    }

    /// The value under a string key.
    subscript(name: String) -> PickleValue? { indexOfString[name].map { entries[$0].value } }
}

/// A storage as BINPERSID names it: `('storage', torch.FloatStorage, key, location, numel)`.
struct TorchStorageReference: Equatable {
    /// `torch.FloatStorage`, `torch.HalfStorage`, …
    var storageType: String
    /// Archive entry `<name>/data/<key>`.
    var key: String
    var elementCount: Int
}

/// A tensor as `_rebuild_tensor_v2(storage, offset, size, stride, …)` describes it; read lazily.
struct TorchTensorReference: Equatable {
    var storage: TorchStorageReference
    var storageOffset: Int
    var shape: [Int]
    var strides: [Int]
}
