import Foundation
import TensorEngine

/// `KernelBenchmarks [run|check|record] [--threads 1,2] [--rounds 3] [--thresholds PATH] [--filter TEXT]`
///
/// - run: prints the median and p90 of every benchmark at every thread count: of the round (of `--rounds`, the whole
///   suite each, one after the other) with the least median, so a busy spell of a shared machine during one round does
///   not decide the figure.
/// - check: also compares each median with the thresholds for this kind of CPU and exits 1 when one is slower than
///   allowed (or has no threshold). PATH (default `Thresholds`) is a directory of one file per kind of CPU, from which the
///   file covering this machine is chosen (none: exit 2, saying which kinds it has), or one file, used as it is.
/// - record: writes the measured medians as the thresholds of this kind of CPU (in a directory, the file of exactly this
///   kind, created if missing; an existing file keeps its tolerance); `recordedOn` becomes this machine's CPU and the date
///   (add a word on the machine's load by hand if it was not quiet).
///
/// Timing is wall clock on a possibly shared machine: run it on a quiet one, and compare interleaved runs.
func main() throws -> Int32 {
    var arguments = Array(CommandLine.arguments.dropFirst())
    let mode = arguments.first.map { ["run", "check", "record"].contains($0) } == true ? arguments.removeFirst() : "run"
    var threadCounts = [1, 2]
    var rounds = 3
    var thresholdsPath = "Thresholds"
    var filter: String?
    while !arguments.isEmpty {
        let option = arguments.removeFirst()
        guard let value = arguments.first else { throw BenchmarkError("\(option) needs a value") }
        arguments.removeFirst()
        switch option {
        case "--threads":
            let parsed = value.split(separator: ",").map { Int($0) }
            guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil && (1...64).contains($0!) }) else {
                throw BenchmarkError("--threads: \(value) is not a comma-separated list of counts in 1 … 64")
            }
            threadCounts = parsed.map { $0! }
        case "--rounds":
            guard let parsed = Int(value), (1...100).contains(parsed) else { throw BenchmarkError("--rounds: \(value) is not a count in 1 … 100") }
            rounds = parsed
        case "--thresholds": thresholdsPath = value
        case "--filter": filter = value
        default: throw BenchmarkError("unknown option \(option) (use --threads, --rounds, --thresholds, --filter)")
        }
    }
    let suite = KernelBenchmark.suite.filter { filter == nil || $0.name.contains(filter!) }
    let machine = MachineDescription.current()
    let location = ThresholdsLocation(path: thresholdsPath, known: Set(KernelBenchmark.suite.map(\.name)))
    var thresholds: Thresholds?
    /// Where `record` writes.
    var url: URL?
    var notes: [String] = []
    switch mode {
    case "check":
        let found = try location.thresholdsForCheck(on: machine.kind)
        thresholds = found.thresholds
        notes.append("thresholds \(found.url.path), recorded on: \(found.thresholds.recordedOn)")
        if let mismatch = found.mismatch { notes.append("warning: \(mismatch)") }
    case "record":
        let target = try location.targetForRecord(on: machine.kind)
        url = target.url
        // The file's tolerance is kept; its medians only where it was recorded on this kind (a `--filter` run keeps the rest).
        let tolerance = target.existing?.tolerancePercent ?? 50
        let kept = target.existing.flatMap { $0.cpu == machine.kind ? $0.medianMicroseconds : nil } ?? [:]
        thresholds = Thresholds(cpu: machine.kind, recordedOn: "", tolerancePercent: tolerance, medianMicroseconds: kept)
    default:
        break
    }
    print("GEMM kernel \(TensorEngineInfo.gemmKernel) on \(machine)")
    for note in notes { print(note) }
    print("median and p90 of each benchmark in microseconds, from the round with the least median (of \(rounds))")
    var failures: [String] = []
    let pools = threadCounts.map { ComputePool(threadCount: $0) }
    var best: [String: (median: Double, p90: Double)] = [:]
    for _ in 0..<rounds {
        for pool in pools {
            for benchmark in suite {
                let measured = measure(benchmark, pool: pool)
                let key = Thresholds.key(benchmark.name, threads: pool.threadCount)
                if best[key].map({ measured.median < $0.median }) ?? true { best[key] = measured }
            }
        }
    }
    for threads in threadCounts {
        for benchmark in suite {
            let key = Thresholds.key(benchmark.name, threads: threads)
            let (median, p90) = best[key]!
            var verdict = ""
            if mode == "check", let thresholds {
                if let limit = thresholds.medianMicroseconds[key] {
                    let allowed = limit * (1 + thresholds.tolerancePercent / 100)
                    let ratio = median / limit
                    verdict = String(format: "  %.2f× threshold %.1f", ratio, limit)
                    if median > allowed {
                        verdict += "  SLOWER than allowed \(String(format: "%.1f", allowed))"
                        failures.append(key)
                    }
                } else {
                    verdict = "  no threshold"
                    failures.append(key)
                }
            }
            if mode == "record" { thresholds?.medianMicroseconds[key] = (median * 10).rounded(.up) / 10 }
            print(String(format: "%12.1f %12.1f  ", median, p90) + key + verdict)
        }
    }
    if mode == "record", var thresholds, let url {
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        thresholds.recordedOn = "\(machine), recorded \(day.string(from: Date()))"
        try thresholds.write(to: url)
        print("wrote \(url.path)")
    }
    if !failures.isEmpty {
        print("failed: \(failures.joined(separator: ", "))")
        return 1
    }
    return 0
}

/// Median and p90 in microseconds after a warm-up of a tenth of the iterations (at least 2).
func measure(_ benchmark: KernelBenchmark, pool: ComputePool) -> (median: Double, p90: Double) {
    let operation = benchmark.prepare(pool)
    for _ in 0..<max(2, benchmark.iterations / 10) { operation() }
    let clock = ContinuousClock()
    var times: [Double] = []
    times.reserveCapacity(benchmark.iterations)
    for _ in 0..<benchmark.iterations {
        let elapsed = clock.measure { operation() }.components
        times.append(Double(elapsed.seconds) * 1e6 + Double(elapsed.attoseconds) * 1e-12)
    }
    times.sort()
    return (times[times.count / 2], times[min(times.count - 1, times.count * 9 / 10)])
}

do {
    exit(try main())
} catch {
    FileHandle.standardError.write(Data("KernelBenchmarks: \(error)\n".utf8))
    exit(2)
}
