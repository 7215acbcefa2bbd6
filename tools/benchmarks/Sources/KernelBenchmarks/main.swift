import Foundation
import TensorEngine

/// `KernelBenchmarks [run|check|record] [--threads 1,2] [--thresholds FILE] [--filter TEXT]`
///
/// - run: prints the median and p90 of every benchmark at every thread count.
/// - check: also compares each median with the thresholds file and exits 1 when one is slower than allowed (or has no
///   threshold).
/// - record: writes the measured medians as the new thresholds (keeping the file's tolerance); `recordedOn` becomes this
///   machine's CPU and the date (add a word on the machine's load by hand if it was not quiet).
///
/// Timing is wall clock on a possibly shared machine: run it on a quiet one, and compare interleaved runs.
func main() throws -> Int32 {
    var arguments = Array(CommandLine.arguments.dropFirst())
    let mode = arguments.first.map { ["run", "check", "record"].contains($0) } == true ? arguments.removeFirst() : "run"
    var threadCounts = [1, 2]
    var thresholdsPath = "Thresholds/kernels.json"
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
        case "--thresholds": thresholdsPath = value
        case "--filter": filter = value
        default: throw BenchmarkError("unknown option \(option) (use --threads, --thresholds, --filter)")
        }
    }
    let url = URL(fileURLWithPath: thresholdsPath)
    let suite = KernelBenchmark.suite.filter { filter == nil || $0.name.contains(filter!) }
    var thresholds =
        mode == "run" ? nil : try Thresholds.load(url, known: Set(KernelBenchmark.suite.map(\.name)))
    let machine = MachineDescription.current()
    print("GEMM kernel \(TensorEngineInfo.gemmKernel) on \(machine); median and p90 of each benchmark, microseconds")
    if mode == "check", let thresholds {
        // Thresholds hold for the machine they were recorded on: a slower kind of CPU fails them all.
        print("thresholds recorded on: \(thresholds.recordedOn)")
    }
    var failures: [String] = []
    for threads in threadCounts {
        let pool = ComputePool(threadCount: threads)
        for benchmark in suite {
            let (median, p90) = measure(benchmark, pool: pool)
            let key = Thresholds.key(benchmark.name, threads: threads)
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
    if mode == "record", var thresholds {
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
