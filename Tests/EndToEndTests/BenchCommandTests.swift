import Foundation
import TestSupport
import Testing

/// `ssdd bench` and the INT8 model workflow (`ssdd model calibrate`, `--precision int8`, `compare-precision`), run as
/// the binary on the real person model. Timings are printed, never checked: the tests check what the command reports.
@Suite("ssdd bench and the INT8 workflow, run as a binary", .serialized)
struct BenchCommandTests {
    static var modelPath: String { DaemonTests.modelPath }
    static let photo = "/usr/share/darknet/data/dog.jpg"

    /// Whether this CPU has AVX-512 VNNI (`/proc/cpuinfo`), where `ssdd bench --precision int8` also reports the share of
    /// the measured `vpdpbusd` peak.
    static var hasVNNI: Bool {
        ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains(" avx512_vnni")
    }

    /// The median of a `median 10.23 ms  p90 …` line.
    static func median(_ stdout: String) -> Double? {
        guard let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("median ") }) else { return nil }
        return Double(line.split(separator: " ")[1])
    }

    @Test("fp32: the model, the median, frames/s and the per-layer profile")
    func fp32Profile() throws {
        let result = try BinaryRunner.run(["bench", "--model", Self.modelPath, "--frames", "3", "--warmup", "1", "--profile"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let out = result.stdout
        let file = URL(fileURLWithPath: Self.modelPath).lastPathComponent
        #expect(out.hasPrefix("model ") && out.contains("(\(file)), input 300x300"), "\(out)")
        #expect(out.contains("precision fp32, 3 passes after 1 warm-up"), "\(out)")
        #expect((Self.median(out) ?? 0) > 0, "\(out)")
        #expect(out.contains("frames/s") && out.contains("layers, slowest first") && out.contains("by op kind:"), "\(out)")
        #expect(out.contains("conv1x1/tiledGEMM"), "\(out)")
        #expect(!out.contains("/int8"), "\(out)")
    }

    @Test("bad counts are refused before any work")
    func badCounts() throws {
        let result = try BinaryRunner.run(["bench", "--model", Self.modelPath, "--frames", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--threads and --frames must be ≥ 1"), "stderr: \(result.stderr)")
    }

    @Test(
        "int8: refused without a calibration, naming the command; calibrated, its 1×1 layers run INT8",
        .enabled(if: FileManager.default.fileExists(atPath: photo), "needs darknet's sample photos (apt darknet)"))
    func int8Workflow() throws {
        let uncalibrated = try BinaryRunner.run(["bench", "--model", Self.modelPath, "--precision", "int8", "--frames", "1"])
        #expect(uncalibrated.status != 0)
        #expect(
            uncalibrated.stderr.contains("calibration is missing") && uncalibrated.stderr.contains("ssdd model calibrate"),
            "stderr: \(uncalibrated.stderr)")

        let calibrated = ScratchDirectory.make("bench-int8").appendingPathComponent("person-int8.safetensors").path
        defer { try? FileManager.default.removeItem(atPath: calibrated) }
        let calibrate = try BinaryRunner.run(["model", "calibrate", Self.modelPath, Self.photo, "-o", calibrated])
        #expect(calibrate.status == 0, "stderr: \(calibrate.stderr)")
        #expect(calibrate.stderr.contains("calibrated ") && calibrate.stderr.contains("on 1 images"), "stderr: \(calibrate.stderr)")

        let bench = try BinaryRunner.run(["bench", "--model", calibrated, "--precision", "int8", "--frames", "3", "--warmup", "1", "--profile"])
        #expect(bench.status == 0, "stderr: \(bench.stderr)")
        #expect((Self.median(bench.stdout) ?? 0) > 0, "\(bench.stdout)")
        // On a CPU without VNNI or AVX2 int8 falls back to fp32, with a warning; with either, the 1×1 layers run INT8.
        if bench.stderr.contains("running fp32") {
            #expect(bench.stdout.contains("precision fp32"), "\(bench.stdout)")
        } else {
            #expect(bench.stdout.contains("precision int8") && bench.stdout.contains("conv1x1/int8"), "\(bench.stdout)")
            #expect(bench.stdout.contains("vpdpbusd peak") == Self.hasVNNI, "\(bench.stdout)")
        }

        let compare = try BinaryRunner.run(["model", "compare-precision", calibrated, Self.photo, "--threshold", "0.3"])
        #expect(compare.status == 0, "stderr: \(compare.stderr)")
        let int8Lines = compare.stdout.split(separator: "\n").filter { $0.hasPrefix("int8: ") }
        if int8Lines.count == 2 {
            #expect(int8Lines[0].contains("matched "), "\(compare.stdout)")
            #expect(
                int8Lines[1].hasPrefix("int8: raw outputs: class logits relative error ")
                    && int8Lines[1].contains("; box regressions relative error "),
                "\(compare.stdout)")
        } else {
            #expect(int8Lines.count == 1 && int8Lines[0].contains("skipped"), "\(compare.stdout)")
        }
    }
}
