import ArgumentParser
import Detection
import Foundation
import ModelStore
import NeuralNet
import TensorEngine

/// `ssdd bench`: network forward-pass latency and throughput (use a release build).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure ms per forward pass (median, p90), frames/s and GFLOP/s of a model on this machine.",
        discussion:
            "Build with `swift build -c release`; debug builds are 10–50× slower. OpenBLAS picks its kernels by CPU (printed as \"OpenBLAS core\"); forcing OPENBLAS_CORETYPE=Haswell made SSD300 1.8× slower on an AVX-512 host."
    )

    @Option(help: "Model file; default: the bundled person detector.")
    var model: String?

    @Option(help: "Threads (engine and OpenBLAS).")
    var threads = 1

    @Option(help: "Timed forward passes.")
    var frames = 50

    @Option(help: "Untimed warm-up passes.")
    var warmup = 5

    @Flag(name: .customLong("no-winograd"), help: "Run 3×3 convolutions as direct (im2col) convolutions instead of Winograd F(4×4, 3×3).")
    var noWinograd = false

    @Option(help: "Arithmetic of the convolutions: fp32, bf16 or int8 (falls back to fp32, with a warning, on a CPU without the instructions).")
    var precision: Precision = .fp32

    @Flag(help: "Also print the slowest layers and the time per op kind.")
    var profile = false

    @Option(help: "Instead of the network, measure decode + resize frames/s of this video for each resize path.")
    var video: String?

    @Option(name: .customLong("decoder-threads"), help: "Decoder threads for --video (0 = FFmpeg's choice).")
    var decoderThreads = 1

    @Option(help: "Compare N single forward passes with one batched pass of N images (interleaved), ms per frame; 2…16.")
    var batch = 1

    func validate() throws {
        guard threads >= 1, frames >= 1, warmup >= 0 else { throw ValidationError("--threads and --frames must be ≥ 1, --warmup ≥ 0") }
        guard (1...16).contains(batch) else { throw ValidationError("--batch must be between 1 and 16, got \(batch)") }
    }

    func run() throws {
        if let video {
            for r in try DecodeBenchmark.run(input: video, width: 300, height: 300, decoderThreads: decoderThreads) {
                Console.writeLine(
                    String(
                        format: "%7.1f frames/s  %6.2f ms/frame  (%d frames)  ", Double(r.frames) / r.seconds, 1000 * r.seconds / Double(r.frames),
                        r.frames) + r.path)
            }
            return
        }
        let url = try DefaultModel.resolve(model)
        let file = try ModelFile(contentsOf: url)
        if batch > 1 {
            try compareBatch(file: file)
            return
        }
        var options = DetectorOptions(threads: threads, winograd: !noWinograd)
        options.precision = precision.resolvedWarningOnce()
        let detector = try Detector(model: file, options: options)
        let network = detector.network
        let p = file.manifest.preprocessing
        // A deterministic, non-constant input in the network's range.
        var values = [Float](repeating: 0, count: p.inputWidth * p.inputHeight * 3)
        for i in values.indices { values[i] = Float((i * 7919) % 255) / 127.5 - 1 }
        let input = Tensor(shape: [p.inputHeight, p.inputWidth, 3], values: values)
        for _ in 0..<warmup { _ = try network.forward(input) }
        var times: [Double] = []
        var perNode: [String: (kind: String, total: Double, macs: Int)] = [:]
        var nodeOrder: [String] = []
        for _ in 0..<frames {
            let start = DispatchTime.now().uptimeNanoseconds
            if profile {
                let (_, timings) = try network.forwardProfiled(input)
                for t in timings {
                    if perNode[t.name] == nil { nodeOrder.append(t.name) }
                    perNode[t.name, default: (t.kind, 0, t.multiplyAccumulates)].total += t.milliseconds
                }
            } else {
                _ = try network.forward(input)
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        let median = times[times.count / 2]
        let p90 = times[min(times.count - 1, Int(Double(times.count) * 0.9))]
        let gflops = 2 * Double(network.multiplyAccumulateCount) / (median / 1000) / 1e9
        Console.writeLine(
            "model \(file.manifest.architecture) (\(url.lastPathComponent)), input \(p.inputWidth)x\(p.inputHeight), \(String(format: "%.3f", Double(network.multiplyAccumulateCount) / 1e9)) GMAC"
        )
        Console.writeLine(
            "threads \(threads), GEMM kernel \(TensorEngineInfo.gemmKernel), OpenBLAS core \(BLAS.coreName), winograd \(noWinograd ? "off" : "on"), precision \(options.precision.rawValue), \(frames) passes after \(warmup) warm-up"
        )
        Console.writeLine(
            String(format: "median %.2f ms  p90 %.2f ms  min %.2f ms  %.1f frames/s  %.1f GFLOP/s", median, p90, times[0], 1000 / median, gflops))
        let peak = TensorEngineInfo.measuredFMAPeak()
        if peak > 0 {
            Console.writeLine(
                String(
                    format: "zmm FMA peak %.1f GFLOP/s per core (measured now): the median pass ran at %.0f %% of the peak of %d core(s)",
                    peak, 100 * gflops / (peak * Double(threads)), threads))
        }
        if options.precision == .int8, case let vnniPeak = TensorEngineInfo.measuredVNNIPeak(), vnniPeak > 0 {
            // Every INT8 multiply-accumulate counts as 2 operations, like a float one; the fp32 layers (depthwise, stems)
            // count too, so this is a lower bound of the INT8 layers' own share.
            Console.writeLine(
                String(
                    format: "vpdpbusd peak %.1f GOPS per core (measured now): the median pass ran at %.0f %% of the INT8 peak of %d core(s)",
                    vnniPeak, 100 * gflops / (vnniPeak * Double(threads)), threads))
        }
        if profile {
            let total = perNode.values.reduce(0) { $0 + $1.total }
            // GFLOP/s of a layer or kind: 2 × its multiply-accumulates per pass over its mean time (blank for layers without).
            func rate(_ macs: Int, _ milliseconds: Double) -> String {
                macs == 0 ? "" : String(format: "%6.1f GFLOP/s", 2 * Double(macs) * Double(frames) / milliseconds / 1e6)
            }
            Console.writeLine("layers, slowest first (mean ms per pass, share, GFLOP/s of their convolutions):")
            for name in nodeOrder.sorted(by: { perNode[$0]!.total > perNode[$1]!.total }) {
                let entry = perNode[name]!
                Console.writeLine(
                    String(
                        format: "  %8.3f ms %5.1f%%  %14@  %@  %@", entry.total / Double(frames), 100 * entry.total / total,
                        rate(entry.macs, entry.total), entry.kind, name))
            }
            var kinds: [String: (total: Double, macs: Int)] = [:]
            for entry in perNode.values {
                kinds[entry.kind, default: (0, 0)].total += entry.total
                kinds[entry.kind, default: (0, 0)].macs += entry.macs
            }
            Console.writeLine("by op kind:")
            for (kind, t) in kinds.sorted(by: { $0.value.total > $1.value.total }) {
                Console.writeLine(
                    String(format: "  %8.3f ms %5.1f%%  %14@  %@", t.total / Double(frames), 100 * t.total / total, rate(t.macs, t.total), kind))
            }
        }
    }
}
