/// Finding the state_dict inside the unpickled object.
extension TorchCheckpoint {
    /// Keys under which training checkpoints commonly keep the model's state_dict, in the order they are tried.
    static let nestedStateDictKeys = ["state_dict", "model_state_dict", "model", "net"]

    /// The `(key, tensor)` entries of the state_dict within `root`.
    static func stateDict(in root: PickleValue, file: String) throws(TorchCheckpointError) -> [(key: String, tensor: TorchTensorReference)] {
        guard case .dict(let top) = root else {
            throw TorchCheckpointError.noStateDict(file: file, found: "the file holds a \(root.typeName)")
        }
        if let entries = tensorEntries(top) { return strippingDataParallelPrefix(entries) }
        for name in nestedStateDictKeys {
            if case .dict(let nested)? = top[name], let entries = tensorEntries(nested) {
                return strippingDataParallelPrefix(entries)
            }
        }
        let summary = top.entries.prefix(8).map { entry in
            if case .string(let key) = entry.key { return "'\(key)' (\(entry.value.typeName))" }
            return entry.key.typeName
        }
        throw TorchCheckpointError.noStateDict(
            file: file, found: "the top-level dict holds " + (summary.isEmpty ? "nothing" : summary.joined(separator: ", ")))
    }

    /// The entries of `dict` when it is non-empty and maps strings to tensors only.
    private static func tensorEntries(_ dict: PickleDict) -> [(key: String, tensor: TorchTensorReference)]? {
        var result: [(key: String, tensor: TorchTensorReference)] = []
        for entry in dict.entries {
            guard case .string(let key) = entry.key, case .tensor(let tensor) = entry.value else { return nil }
            result.append((key, tensor))
        }
        return result.isEmpty ? nil : result
    }

    private static func strippingDataParallelPrefix(
        _ entries: [(key: String, tensor: TorchTensorReference)]
    ) -> [(key: String, tensor: TorchTensorReference)] {
        let prefix = "module."
        guard entries.allSatisfy({ $0.key.hasPrefix(prefix) }) else { return entries }
        return entries.map { (String($0.key.dropFirst(prefix.count)), $0.tensor) }
    }
}
