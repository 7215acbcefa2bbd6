import Foundation

/// The tensors of a PyTorch checkpoint written by `torch.save(state_dict, path)` (zip format), read natively.
///
/// The state_dict may be the top-level object or sit under `state_dict`, `model_state_dict`, `model` or `net` of a
/// training checkpoint; a `module.` prefix on every key (from `DataParallel`) is removed. Tensors are read honouring
/// storage offsets and strides and made contiguous; shared storages are read once. Only float32 tensors are supported.
public struct TorchCheckpoint: Sendable {
    /// Keys in the order the state_dict lists them.
    public let keys: [String]
    /// Tensors by key.
    public let tensors: [String: TorchTensor]

    /// Reads the checkpoint at `url`.
    ///
    /// - Throws: ``TorchCheckpointError`` naming what is wrong: not a ZIP archive, missing `data.pkl` or storage,
    ///   unsupported pickle opcode (with its offset), no state_dict, a non-float32 tensor, a storage too short.
    public init(contentsOf url: URL) throws(TorchCheckpointError) {
        try self.init(archive: TorchArchive(url: url))
    }

    /// Reads the checkpoint at `url` with `readLimit` bytes in place of the ``TorchReadBudget`` computed from its size.
    ///
    /// - Important: For tests only: the computed budget is what stops a small file from expanding into gigabytes.
    init(contentsOf url: URL, readLimit: Int) throws(TorchCheckpointError) {
        try self.init(archive: TorchArchive(url: url, readLimit: readLimit))
    }

    private init(archive: TorchArchive) throws(TorchCheckpointError) {
        var machine = PickleMachine(bytes: try archive.pickleBytes(), file: archive.file)
        let entries = try Self.stateDict(in: try machine.run(), file: archive.file)
        var storages: [String: [Float]] = [:]
        var tensors: [String: TorchTensor] = [:]
        for (key, reference) in entries {
            let storage = reference.storage
            guard storage.storageType == PickleMachine.float32Storage else {
                throw TorchCheckpointError.unsupportedStorage(file: archive.file, tensor: key, storageType: storage.storageType)
            }
            if storages[storage.key] == nil {
                let (declaredBytes, overflow) = storage.elementCount.multipliedReportingOverflow(by: 4)
                if overflow {
                    throw TorchCheckpointError.tooLarge(
                        file: archive.file, item: "storage '\(storage.key)' of \(storage.elementCount) float32 elements",
                        bytes: Int.max, limit: archive.budget.limit, archiveSize: archive.budget.archiveSize)
                }
                storages[storage.key] = Self.floats(
                    try archive.storageBytes(key: storage.key, declaredBytes: declaredBytes), limit: storage.elementCount)
            }
            let values = storages[storage.key] ?? []
            guard let count = reference.elementCount, let end = reference.storageEnd, end <= values.count else {
                throw TorchCheckpointError.storageOutOfRange(
                    file: archive.file, tensor: key, storage: storage.key,
                    neededElements: reference.storageEnd ?? Int.max, availableElements: values.count)
            }
            // A view may repeat storage elements (stride 0) or several tensors may view one storage, so the contiguous
            // copies are charged too.
            let (bytes, overflow) = count.multipliedReportingOverflow(by: 4)
            try archive.budget.reserve(overflow ? Int.max : bytes, item: "tensor '\(key)'")
            let contiguous = values.withUnsafeBufferPointer { reference.gather(from: $0, count: count) }
            tensors[key] = TorchTensor(
                shape: reference.shape, strides: reference.strides, storageOffset: reference.storageOffset, values: contiguous)
        }
        self.keys = entries.map(\.key)
        self.tensors = tensors
    }

    /// Little-endian float32 values of `data`, at most `limit` of them (the storage's declared size).
    private static func floats(_ data: Data, limit: Int) -> [Float] {
        let count = min(data.count / 4, limit)
        return [Float](unsafeUninitializedCapacity: count) { output, initialized in
            data.withUnsafeBytes { raw in
                for index in 0..<count {
                    output[index] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
                }
            }
            initialized = count
        }
    }
}

extension TorchCheckpoint {
    /// A checkpoint from tensors already in memory (tests, converters); `keys` gives the order.
    init(keys: [String], tensors: [String: TorchTensor]) {
        self.keys = keys
        self.tensors = tensors
    }
}
