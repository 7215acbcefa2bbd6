/// Errors reading a PyTorch checkpoint (`.pth`, the zip format `torch.save` writes) and matching it to an architecture.
///
/// Every message names the file and, where there is one, the tensor key or pickle offset, says what was expected and
/// what was found, and how to proceed. Cases are private so new ones can be added without breaking callers; compare
/// errors with `==`.
public struct TorchCheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Kind: Equatable, Sendable {
        case cannotRead(file: String, reason: String)
        case corruptEntry(file: String, entry: String, reason: String)
        case tooLarge(file: String, item: String, bytes: Int, limit: Int, archiveSize: Int)
        case notAZipArchive(file: String)
        case missingEntry(file: String, entry: String)
        case unsupportedByteOrder(file: String, found: String)
        case unsupportedOpcode(file: String, opcode: UInt8, name: String?, offset: Int)
        case malformedPickle(file: String, offset: Int, reason: String)
        case unsupportedObject(file: String, reason: String)
        case unsupportedStorage(file: String, tensor: String, storageType: String)
        case storageOutOfRange(file: String, tensor: String, storage: String, neededElements: Int, availableElements: Int)
        case noStateDict(file: String, found: String)
        case missingParameter(file: String, key: String, expected: [Int])
        case parameterShape(file: String, key: String, expected: [Int], actual: [Int])
        case unexpectedParameters(file: String, keys: [String], architecture: String)
    }

    private let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// The file could not be opened or an archive entry could not be extracted.
    public static func cannotRead(file: String, reason: String) -> Self { Self(.cannotRead(file: file, reason: reason)) }
    /// An archive entry's contents disagree with the archive: CRC-32 mismatch, more or fewer bytes than declared.
    public static func corruptEntry(file: String, entry: String, reason: String) -> Self {
        Self(.corruptEntry(file: file, entry: entry, reason: reason))
    }
    /// Reading would hold more bytes than the archive's size can justify (a zip bomb, or tensors that all view one storage).
    public static func tooLarge(file: String, item: String, bytes: Int, limit: Int, archiveSize: Int) -> Self {
        Self(.tooLarge(file: file, item: item, bytes: bytes, limit: limit, archiveSize: archiveSize))
    }
    /// The file is not a ZIP archive (garbage, truncated, or the pre-1.6 legacy `torch.save` format).
    public static func notAZipArchive(file: String) -> Self { Self(.notAZipArchive(file: file)) }
    /// The archive lacks an entry a checkpoint must have (`<name>/data.pkl`, or a storage `<name>/data/<key>`).
    public static func missingEntry(file: String, entry: String) -> Self { Self(.missingEntry(file: file, entry: entry)) }
    /// The archive's `byteorder` record is not `little`.
    public static func unsupportedByteOrder(file: String, found: String) -> Self {
        Self(.unsupportedByteOrder(file: file, found: found))
    }
    /// The pickle uses an opcode outside the subset a state_dict needs; `name` is the opcode's pickletools name if known.
    public static func unsupportedOpcode(file: String, opcode: UInt8, name: String?, offset: Int) -> Self {
        Self(.unsupportedOpcode(file: file, opcode: opcode, name: name, offset: offset))
    }
    /// The pickle stream is inconsistent: truncated, stack underflow, unknown memo slot, wrong argument types.
    public static func malformedPickle(file: String, offset: Int, reason: String) -> Self {
        Self(.malformedPickle(file: file, offset: offset, reason: reason))
    }
    /// A tensor was built by a function or from arguments this reader does not support.
    public static func unsupportedObject(file: String, reason: String) -> Self { Self(.unsupportedObject(file: file, reason: reason)) }
    /// A tensor of the state_dict is not float32.
    public static func unsupportedStorage(file: String, tensor: String, storageType: String) -> Self {
        Self(.unsupportedStorage(file: file, tensor: tensor, storageType: storageType))
    }
    /// A tensor's offset, shape and strides reach past the end of its storage (truncated or corrupt data).
    public static func storageOutOfRange(
        file: String, tensor: String, storage: String, neededElements: Int, availableElements: Int
    ) -> Self {
        Self(
            .storageOutOfRange(
                file: file, tensor: tensor, storage: storage, neededElements: neededElements, availableElements: availableElements))
    }
    /// No dict of tensors was found at the top level or under the usual keys.
    public static func noStateDict(file: String, found: String) -> Self { Self(.noStateDict(file: file, found: found)) }
    /// The architecture needs a tensor the checkpoint does not hold.
    public static func missingParameter(file: String, key: String, expected: [Int]) -> Self {
        Self(.missingParameter(file: file, key: key, expected: expected))
    }
    /// A tensor has a different shape than the architecture needs.
    public static func parameterShape(file: String, key: String, expected: [Int], actual: [Int]) -> Self {
        Self(.parameterShape(file: file, key: key, expected: expected, actual: actual))
    }
    /// The checkpoint holds tensors the architecture does not use (listed sorted, at most five).
    public static func unexpectedParameters(file: String, keys: [String], architecture: String) -> Self {
        Self(.unexpectedParameters(file: file, keys: keys, architecture: architecture))
    }

    public var description: String {
        switch kind {
        case .cannotRead(let file, let reason):
            return "cannot read '\(file)': \(reason)"
        case .corruptEntry(let file, let entry, let reason):
            return "'\(file)': archive entry '\(entry)' is corrupt: \(reason); the file is damaged"
        case .tooLarge(let file, let item, let bytes, let limit, let archiveSize):
            return "'\(file)': \(item) needs \(bytes) bytes, more than the \(limit) a \(archiveSize)-byte archive can "
                + "justify in all (4 × its size + 16 MiB); the file is corrupt or a zip bomb"
        case .notAZipArchive(let file):
            return "'\(file)' is not a ZIP archive; expected a PyTorch checkpoint written by torch.save (PyTorch 1.6 or "
                + "later; re-save legacy files with torch.save(torch.load(path), path))"
        case .missingEntry(let file, let entry):
            return "'\(file)': the archive has no '\(entry)'; it is not a complete torch.save checkpoint"
        case .unsupportedByteOrder(let file, let found):
            return "'\(file)': byteorder is '\(found)'; only little-endian checkpoints are supported"
        case .unsupportedOpcode(let file, let opcode, let name, let offset):
            let hex = String(opcode, radix: 16, uppercase: true)
            let label = name.map { " (\($0))" } ?? ""
            return "'\(file)': unsupported pickle opcode 0x\(hex.count < 2 ? "0" + hex : hex)\(label) at offset \(offset) "
                + "of data.pkl; only the subset torch.save uses for state_dicts is supported"
        case .malformedPickle(let file, let offset, let reason):
            return "'\(file)': malformed pickle at offset \(offset) of data.pkl: \(reason)"
        case .unsupportedObject(let file, let reason):
            return "'\(file)': \(reason)"
        case .unsupportedStorage(let file, let tensor, let storageType):
            return "'\(file)': tensor '\(tensor)' is stored as \(storageType); only float32 (torch.FloatStorage) is "
                + "supported; convert with model.float() before saving the state_dict"
        case .storageOutOfRange(let file, let tensor, let storage, let needed, let available):
            return "'\(file)': tensor '\(tensor)' needs \(needed) elements of storage '\(storage)', which holds "
                + "\(available); the file is truncated or corrupt"
        case .noStateDict(let file, let found):
            return "'\(file)': no state_dict found: \(found); expected a dict of tensors (torch.save(model.state_dict())), "
                + "possibly under 'model' or 'state_dict'"
        case .missingParameter(let file, let key, let expected):
            return "'\(file)': tensor '\(key)' \(expected) is missing from the checkpoint"
        case .parameterShape(let file, let key, let expected, let actual):
            return "'\(file)': tensor '\(key)' has shape \(actual), expected \(expected)"
        case .unexpectedParameters(let file, let keys, let architecture):
            return "'\(file)': the checkpoint holds tensors that \(architecture) does not use: "
                + keys.map { "'\($0)'" }.joined(separator: ", ") + "; is it a different architecture?"
        }
    }
}
