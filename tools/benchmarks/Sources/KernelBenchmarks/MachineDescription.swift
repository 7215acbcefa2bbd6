import Foundation

/// This machine's CPU as `/proc/cpuinfo` gives it (the first processor's block): the one line printed with every run and
/// stored as `recordedOn`, and the kind (vendor, x86 family and model, vector extension) that picks a thresholds file.
struct MachineDescription {
    /// Model name, e.g. "AMD EPYC" ("unknown CPU" where `/proc/cpuinfo` cannot be read).
    var name: String
    var kind: CPUKind
    /// The CPUs this process may use.
    var cpus: Int

    static func current() -> MachineDescription {
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return MachineDescription(name: "unknown CPU", kind: CPUKind(vendor: "unknown", family: nil, model: nil, vectors: .none), cpus: cpus)
        }
        // The first processor's block: "key\t: value" lines up to the first blank line.
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let flags = Set((fields["flags"] ?? "").split(separator: " "))
        let vectors: CPUKind.Vectors = flags.contains("avx512f") ? .avx512 : flags.contains("avx2") ? .avx2 : .none
        let kind = CPUKind(
            vendor: fields["vendor_id"].flatMap { CPUKind.isValidVendor($0) ? $0 : nil }
                ?? "unknown",
            family: fields["cpu family"].flatMap { Int($0) },
            model: fields["model"].flatMap { Int($0) }, vectors: vectors)
        return MachineDescription(name: fields["model name"] ?? "unknown CPU", kind: kind, cpus: cpus)
    }
}

extension MachineDescription: CustomStringConvertible {
    var description: String {
        let family = kind.family.map { ", family \($0)" } ?? ""
        let model = kind.model.map { " model \($0)" } ?? ""
        return "\(name)\(family)\(model) (\(kind.vectors.description)), \(cpus) CPUs"
    }
}

/// The kind of CPU a thresholds file holds for: timings transfer between machines of one kind (same microarchitecture and
/// vector width), not across kinds (an AVX2-only Zen 1 ran these kernels 1.7–7.6× slower than the Zen 3 file allowed). A file's kind may
/// leave the model out, matching every model of the family.
struct CPUKind: Codable, Equatable {
    enum Vectors: String, Codable {
        case avx512 = "AVX-512"
        case avx2 = "AVX2"
        case none = "none"

        var description: String {
            switch self {
            case .avx512: "AVX-512"
            case .avx2: "AVX2, no AVX-512"
            case .none: "no AVX2"
            }
        }
    }

    /// `vendor_id`, e.g. "AuthenticAMD", "GenuineIntel" (letters and digits only: it names the file; "unknown" otherwise).
    var vendor: String
    var family: Int?
    var model: Int?
    var vectors: Vectors

    /// Whether `vendor` can be a `vendor_id` here: 1 to 32 ASCII letters and digits (it names the thresholds file).
    static func isValidVendor(_ vendor: String) -> Bool {
        !vendor.isEmpty && vendor.count <= 32 && vendor.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// Whether thresholds recorded for `self` hold on a machine of kind `machine`: same vendor, family and vector
    /// extension, and the same model unless `self` names none.
    func covers(_ machine: CPUKind) -> Bool {
        vendor == machine.vendor && family == machine.family && vectors == machine.vectors && (model == nil || model == machine.model)
    }

    /// A short name, e.g. `AuthenticAMD-family23-model1-AVX2`.
    var name: String {
        let family = self.family.map { "-family\($0)" } ?? ""
        let model = self.model.map { "-model\($0)" } ?? ""
        return "\(vendor)\(family)\(model)-\(vectors.rawValue)"
    }

    /// The name of a thresholds file of this kind: ``name`` and `.json`.
    var fileName: String { name + ".json" }
}
