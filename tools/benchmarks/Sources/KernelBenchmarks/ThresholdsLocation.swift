import Foundation

/// Where `check` reads and `record` writes thresholds: one file, or a directory holding one file per kind of CPU (the
/// checked-in `Thresholds/`), from which the file covering this machine is chosen.
struct ThresholdsLocation {
    let path: String
    /// The benchmark names a file may hold thresholds for.
    let known: Set<String>

    private var isDirectory: Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// The thresholds to check this machine against. In a directory, the file whose `cpu` covers `kind` (one naming the
    /// model wins over one naming only the family); none is an error that lists what the directory has and how to record.
    /// A file named directly is used whatever its kind; `mismatch` then says when it is for another kind of CPU.
    func thresholdsForCheck(on kind: CPUKind) throws -> (url: URL, thresholds: Thresholds, mismatch: String?) {
        guard isDirectory else {
            let url = URL(fileURLWithPath: path)
            let thresholds = try Thresholds.load(url, known: known)
            let mismatch =
                thresholds.cpu.covers(kind)
                ? nil : "these thresholds are for \(thresholds.cpu.name), not this kind of CPU: expect every benchmark to differ"
            return (url, thresholds, mismatch)
        }
        let files = try allFiles()
        let covering = files.filter { $0.thresholds.cpu.covers(kind) }
        let naming = covering.filter { $0.thresholds.cpu.model != nil }
        let best = naming.isEmpty ? covering : naming
        guard best.count <= 1 else {
            throw BenchmarkError(
                "\(path): more than one thresholds file covers this CPU: \(best.map(\.url.lastPathComponent).joined(separator: ", "))")
        }
        guard let chosen = best.first else {
            let have = files.isEmpty ? "none" : files.map { "\($0.url.lastPathComponent) (\($0.thresholds.recordedOn))" }.joined(separator: "; ")
            throw BenchmarkError(
                "\(path) has no thresholds for this kind of CPU (\(kind.name)); it has: \(have). "
                    + "Record them on a quiet machine of this kind: KernelBenchmarks record --thresholds \(path)")
        }
        return (chosen.url, chosen.thresholds, nil)
    }

    /// Where `record` writes for a machine of `kind`, and the thresholds already there (their tolerance is kept): in a
    /// directory, the file recorded for exactly this kind, else a new one named after it (`CPUKind/fileName`).
    func targetForRecord(on kind: CPUKind) throws -> (url: URL, existing: Thresholds?) {
        guard isDirectory else {
            let url = URL(fileURLWithPath: path)
            return (url, FileManager.default.fileExists(atPath: path) ? try Thresholds.load(url, known: known) : nil)
        }
        if let same = try allFiles().first(where: { $0.thresholds.cpu == kind }) { return (same.url, same.thresholds) }
        return (URL(fileURLWithPath: path).appendingPathComponent(kind.fileName), nil)
    }

    /// Every `.json` file of the directory, loaded and validated (a bad one is an error naming it).
    private func allFiles() throws -> [(url: URL, thresholds: Thresholds)] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw BenchmarkError("cannot list thresholds directory \(path): \(error)")
        }
        let directory = URL(fileURLWithPath: path)
        return try names.filter { $0.hasSuffix(".json") }.sorted().map {
            let url = directory.appendingPathComponent($0)
            return (url, try Thresholds.load(url, known: known))
        }
    }
}
