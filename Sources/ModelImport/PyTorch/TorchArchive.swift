import Foundation
import ZIPFoundation

/// The ZIP container `torch.save` writes: `<name>/data.pkl`, `<name>/data/<key>` raw storages, `<name>/byteorder`.
struct TorchArchive {
    private let archive: Archive
    /// Names the checkpoint in errors.
    let file: String
    /// `<name>/`, the folder holding data.pkl.
    let prefix: String

    /// Opens the archive at `url` and locates data.pkl.
    ///
    /// - Important: ZIPFoundation's in-memory archives trap on entries that point past the end of the data, so
    ///   checkpoints are always read from files, where a bad offset is a read error.
    init(url: URL) throws(TorchCheckpointError) {
        let file = url.path
        self.file = file
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw TorchCheckpointError.cannotRead(file: file, reason: "no such readable file")
        }
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw TorchCheckpointError.notAZipArchive(file: file)
        }
        // torch names the folder after the file; any single-level `<name>/data.pkl` will do.
        let pickle = archive.first { entry in
            entry.path.hasSuffix("/data.pkl") && entry.path.dropLast("/data.pkl".count).allSatisfy { $0 != "/" }
        }
        guard let pickle else { throw TorchCheckpointError.missingEntry(file: file, entry: "<name>/data.pkl") }
        prefix = String(pickle.path.dropLast("data.pkl".count))
        if let order = try? read(entry: "byteorder", optional: true), !order.isEmpty {
            let text = String(decoding: order, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text == "little" else { throw TorchCheckpointError.unsupportedByteOrder(file: file, found: text) }
        }
    }

    /// The pickle program.
    func pickleBytes() throws(TorchCheckpointError) -> [UInt8] {
        [UInt8](try read(entry: "data.pkl", optional: false) ?? Data())
    }

    /// The raw bytes of storage `key`.
    func storageBytes(key: String) throws(TorchCheckpointError) -> Data {
        try read(entry: "data/" + key, optional: false) ?? Data()
    }

    /// Extracts `<prefix><name>`; nil when absent and `optional`.
    private func read(entry name: String, optional: Bool) throws(TorchCheckpointError) -> Data? {
        guard let entry = archive[prefix + name] else {
            if optional { return nil }
            throw TorchCheckpointError.missingEntry(file: file, entry: prefix + name)
        }
        var data = Data()
        do {
            _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
        } catch {
            throw TorchCheckpointError.cannotRead(file: file, reason: "entry '\(prefix + name)': \(error)")
        }
        return data
    }
}
