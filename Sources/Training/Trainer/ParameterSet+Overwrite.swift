import NeuralNet
import TensorEngine

extension ParameterSet {
    /// Replaces every tensor whose name and shape also exist in `source` with the source's values (fine-tuning an
    /// imported model: a re-headed network keeps its freshly initialised heads when the class count differs).
    ///
    /// - Returns: how many tensors were copied and the names kept as they were (absent from `source` or misshapen).
    public mutating func overwrite(from source: any ParameterSource) throws -> (copied: Int, skipped: [String]) {
        let available = Set(source.parameterNames)
        var copied = 0
        var skipped: [String] = []
        for name in orderedNames {
            guard available.contains(name) else {
                skipped.append(name)
                continue
            }
            let tensor = try source.withParameter(named: name) { view in
                view.shape == self[name]!.shape ? Tensor(shape: view.shape, storage: TensorStorage(copying: view.values)) : nil
            }
            if let tensor {
                self[name] = tensor
                copied += 1
            } else {
                skipped.append(name)
            }
        }
        return (copied, skipped)
    }
}
