import Foundation
import ZIPFoundation

/// The ZIP container `torch.save` writes: `<name>/data.pkl`, `<name>/data/<key>` raw storages, `<name>/byteorder`.
///
/// Every entry is extracted only after its declared uncompressed size has been charged to the archive's
/// ``TorchReadBudget``; inflation stops as soon as it passes the declared size, and the CRC-32 of what was extracted
/// must equal the one the archive records.
struct TorchArchive {
    private let archive: Archive
    /// Names the checkpoint in errors.
    let file: String
    /// `<name>/`, the folder holding data.pkl.
    let prefix: String
    /// Bytes this archive may make the reader hold (extracted entries and tensor values).
    let budget: TorchReadBudget

    /// Opens the archive at `url` and locates data.pkl.
    ///
    /// - Important: ZIPFoundation's in-memory archives trap on entries that point past the end of the data, so
    ///   checkpoints are always read from files, where a bad offset is a read error.
    init(url: URL, readLimit: Int? = nil) throws(TorchCheckpointError) {
        let file = url.path
        self.file = file
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw TorchCheckpointError.cannotRead(file: file, reason: "no such readable file")
        }
        let size: Int
        do {
            size = try SourceFileCheck.regularFileSize(at: file)
        } catch {
            throw TorchCheckpointError.cannotRead(file: file, reason: error.reason)
        }
        budget = TorchReadBudget(file: file, archiveSize: size, limit: readLimit)
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
        if let order = try read(entry: "byteorder", optional: true, maximumBytes: 64), !order.isEmpty {
            let text = String(decoding: order, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text == "little" else {
                throw TorchCheckpointError.unsupportedByteOrder(file: file, found: String(text.prefix(64)))
            }
        }
    }

    /// The pickle program.
    func pickleBytes() throws(TorchCheckpointError) -> [UInt8] {
        [UInt8](try read(entry: "data.pkl", optional: false, maximumBytes: nil) ?? Data())
    }

    /// The raw bytes of storage `key`, which the pickle declares to be `declaredBytes` long; a longer entry is corrupt (a
    /// shorter one is reported by the tensors that need the missing elements).
    func storageBytes(key: String, declaredBytes: Int) throws(TorchCheckpointError) -> Data {
        try read(entry: "data/" + key, optional: false, maximumBytes: declaredBytes) ?? Data()
    }

    /// Extracts `<prefix><name>`; nil when absent and `optional`.
    private func read(entry name: String, optional: Bool, maximumBytes: Int?) throws(TorchCheckpointError) -> Data? {
        let path = prefix + name
        guard let entry = archive[path] else {
            if optional { return nil }
            throw TorchCheckpointError.missingEntry(file: file, entry: path)
        }
        func corrupt(_ reason: String) -> TorchCheckpointError {
            TorchCheckpointError.corruptEntry(file: file, entry: path, reason: reason)
        }
        guard entry.type == .file else { throw corrupt("it is not a file entry") }
        let declared = entry.uncompressedSize
        guard declared >= 0, declared <= Int64(Int.max) else { throw corrupt("it declares an invalid size \(declared)") }
        if let maximumBytes, declared > maximumBytes {
            throw corrupt("it holds \(declared) bytes, more than the \(maximumBytes) expected")
        }
        let size = Int(declared)
        try budget.reserve(size, item: "archive entry '\(path)'")
        var data = Data()
        data.reserveCapacity(size)
        var overran = false
        let checksum: CRC32
        do {
            checksum = try archive.extract(entry, skipCRC32: false) { chunk in
                guard chunk.count <= size - data.count else {
                    overran = true
                    throw ExtractionStopped()
                }
                data.append(chunk)
            }
        } catch {
            if overran { throw corrupt("it inflates past its declared size of \(size) bytes") }
            throw TorchCheckpointError.cannotRead(file: file, reason: "entry '\(path)': \(error)")
        }
        guard data.count == size else { throw corrupt("it holds \(data.count) bytes, its header declares \(size)") }
        guard checksum == entry.checksum else {
            throw corrupt("its CRC-32 is \(Self.hex(checksum)), the archive records \(Self.hex(entry.checksum))")
        }
        return data
    }

    private static func hex(_ value: CRC32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// Thrown from the extraction consumer to stop inflating.
    private struct ExtractionStopped: Error {}
}
