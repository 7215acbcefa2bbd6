import Foundation

/// The checked-in limits for one kind of CPU: per benchmark and thread count (`name@threads`), the median in microseconds
/// measured when the thresholds were recorded; a check fails when a median exceeds it by more than `tolerancePercent`.
struct Thresholds: Codable {
    /// The machines these limits hold for.
    var cpu: CPUKind
    /// Where and how the values were measured (free text, for the reader).
    var recordedOn: String
    /// Allowed slowdown over the recorded median, in percent (0 … 1000).
    var tolerancePercent: Double
    /// `name@threads` → recorded median in microseconds.
    var medianMicroseconds: [String: Double]

    /// Reads and validates `url`: every value is checked and errors name the key.
    static func load(_ url: URL, known names: Set<String>) throws -> Thresholds {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw BenchmarkError("cannot read thresholds file \(url.path): \(error)") }
        let thresholds: Thresholds
        do {
            thresholds = try JSONDecoder().decode(Thresholds.self, from: data)
        } catch {
            throw BenchmarkError(
                "thresholds file \(url.path) is not valid (keys cpu {vendor, family, model, vectors}, recordedOn, tolerancePercent, medianMicroseconds): \(error)"
            )
        }
        let cpu = thresholds.cpu
        guard CPUKind.isValidVendor(cpu.vendor) else {
            throw BenchmarkError("\(url.path): cpu.vendor: '\(cpu.vendor)' is not a vendor_id such as AuthenticAMD (1 to 32 letters and digits)")
        }
        for (key, value) in [("family", cpu.family), ("model", cpu.model)] {
            if let value, !(0...4095).contains(value) { throw BenchmarkError("\(url.path): cpu.\(key): \(value) is outside 0 … 4095") }
        }
        guard thresholds.tolerancePercent.isFinite, (0...1000).contains(thresholds.tolerancePercent) else {
            throw BenchmarkError("\(url.path): tolerancePercent: \(thresholds.tolerancePercent) is outside 0 … 1000")
        }
        for (key, value) in thresholds.medianMicroseconds {
            guard let (name, threads) = Self.split(key), names.contains(name), threads >= 1 else {
                throw BenchmarkError("\(url.path): medianMicroseconds.\(key): not `name@threads` of a known benchmark")
            }
            guard value.isFinite, value > 0 else { throw BenchmarkError("\(url.path): medianMicroseconds.\(key): \(value) is not a positive number") }
        }
        return thresholds
    }

    /// The key of a benchmark at a thread count.
    static func key(_ name: String, threads: Int) -> String { "\(name)@\(threads)" }

    private static func split(_ key: String) -> (String, Int)? {
        guard let at = key.lastIndex(of: "@"), let threads = Int(key[key.index(after: at)...]) else { return nil }
        return (String(key[..<at]), threads)
    }

    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try (encoder.encode(self) + Data("\n".utf8)).write(to: url)
    }
}

/// A usage, input or threshold failure, printed as is.
struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
