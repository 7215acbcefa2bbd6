import Foundation

/// One line naming this machine's CPU, for the thresholds' `recordedOn` and for reading a check against them: model name,
/// x86 family and model, whether it has AVX-512, and the CPUs this process may use (from `/proc/cpuinfo`; "unknown CPU"
/// where that cannot be read).
enum MachineDescription {
    static func current() -> String {
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU, \(cpus) CPUs" }
        // The first processor's block: "key\t: value" lines up to the first blank line.
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let name = fields["model name"] ?? "unknown CPU"
        let family = fields["cpu family"].map { ", family \($0)" } ?? ""
        let model = fields["model"].map { " model \($0)" } ?? ""
        let flags = Set((fields["flags"] ?? "").split(separator: " "))
        let vectors = flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2, no AVX-512" : "no AVX2"
        return "\(name)\(family)\(model) (\(vectors)), \(cpus) CPUs"
    }
}
