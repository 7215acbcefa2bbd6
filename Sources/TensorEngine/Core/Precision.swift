import Foundation
import TensorKernelsX86

/// The arithmetic a network's convolutions run in. `fp32` is the default and the reference; the reduced precisions
/// trade a measured accuracy change (see the README) for speed where the CPU has the instructions for them.
public enum Precision: String, Sendable, CaseIterable, Codable {
    /// Float32 everywhere.
    case fp32
    /// Weights and activations rounded to bfloat16 and multiplied by `vdpbf16ps` into float32 sums (AVX-512 BF16).
    case bf16
    /// Weights quantized to int8 per output channel, activations to uint8 per tensor, int32 sums (`vpdpbusd`, AVX-512
    /// VNNI; the same integer arithmetic on AVX2 elsewhere), dequantized in the store. Ungrouped convolutions (the
    /// depthwise ones and the 3-channel stems stay fp32).
    case int8

    /// `requested` as this CPU can run it, and the warning (one line) when it falls back to fp32.
    public struct Resolution: Sendable, Equatable {
        public let requested: Precision
        public let effective: Precision
        /// Nil when `effective == requested`; else names the missing CPU feature.
        public let warning: String?
    }

    /// What this CPU runs for `self`: INT8 runs on AVX-512 VNNI (`avx512_vnni`) or, with the same results, on AVX2.
    /// BF16 needs AVX-512 BF16 (`avx512_bf16`) whose `vdpbf16ps` outruns fp32 (``CPUPrecisionFeatures/bf16Pays``): a
    /// reduced precision is asked for speed, so where it would be slower (Intel cores without AMX) fp32 runs instead.
    /// Every fallback comes with a one-line warning.
    public func resolved(on cpu: CPUPrecisionFeatures = .current) -> Resolution {
        switch self {
        case .fp32:
            return Resolution(requested: self, effective: .fp32, warning: nil)
        case .bf16:
            if cpu.bf16Pays { return Resolution(requested: self, effective: .bf16, warning: nil) }
            if cpu.bf16 {
                let ratio = String(format: "%.2f", cpu.bf16MultiplyAddRatio)
                // The reduced precision that does pay on such a CPU (Intel without AMX): INT8 on VNNI.
                let instead = cpu.vnni ? "; for speed, precision int8 runs on VNNI here (with a model from `ssdd model calibrate`)" : ""
                return Resolution(
                    requested: self, effective: .fp32,
                    warning: "precision bf16: this CPU's vdpbf16ps does \(ratio)× the multiply-adds per second of its fp32 FMAs "
                        + "(bf16 pays from \(CPUPrecisionFeatures.bf16PayingRatio)×); running fp32, which is faster here\(instead)")
            }
            let missing = cpu.avx512 ? "avx512_bf16" : "avx512f/avx512bw/avx512vl and avx512_bf16"
            return Resolution(
                requested: self, effective: .fp32,
                warning: "precision bf16: this CPU lacks \(missing); running fp32")
        case .int8:
            if cpu.vnni { return Resolution(requested: self, effective: .int8, warning: nil) }
            if cpu.avx2 {
                // Same integers as VNNI (so the accuracy is the same), but vpmaddwd + vpaddd do no more multiply-adds
                // per cycle than fp32 FMAs (tools/bench_int8_tile.c): worth a warning, not a refusal.
                return Resolution(
                    requested: self, effective: .int8,
                    warning: "precision int8: this CPU lacks avx512_vnni; running the AVX2 int8 kernel (same results, not faster than fp32)")
            }
            return Resolution(requested: self, effective: .fp32, warning: "precision int8: this CPU lacks avx512_vnni and avx2; running fp32")
        }
    }
}

/// The CPU features the reduced-precision kernels need, as cpuid and the OS (saved register state) report them.
public struct CPUPrecisionFeatures: Sendable, Equatable {
    public var avx2: Bool
    /// AVX-512 F, BW and VL.
    public var avx512: Bool
    /// AVX-512 BF16 (`vdpbf16ps`).
    public var bf16: Bool
    /// AVX-512 VNNI (`vpdpbusd`).
    public var vnni: Bool
    /// `vdpbf16ps`'s multiply-adds per second over those of fp32 zmm FMAs on this core (0 without ``bf16``): about 2 on
    /// AMD Zen 4/5, which issue one 32-product `vdpbf16ps` at the rate of a 16-product FMA; about 0.5 on Intel
    /// Sapphire/Emerald Rapids, whose two FMA pipes run one `vdpbf16ps` every other cycle (bf16 is AMX's job there).
    public var bf16MultiplyAddRatio: Double

    /// ``bf16MultiplyAddRatio`` from which BF16 runs: below it the rounding of every activation to bf16 eats the gain.
    public static let bf16PayingRatio = 1.5

    /// Whether ``Precision/bf16`` runs here: the instruction exists and outruns fp32 by ``bf16PayingRatio``.
    public var bf16Pays: Bool { bf16 && bf16MultiplyAddRatio >= Self.bf16PayingRatio }

    public init(avx2: Bool, avx512: Bool, bf16: Bool, vnni: Bool, bf16MultiplyAddRatio: Double) {
        self.avx2 = avx2
        self.avx512 = avx512
        self.bf16 = bf16
        self.vnni = vnni
        self.bf16MultiplyAddRatio = bf16 ? bf16MultiplyAddRatio : 0
    }

    /// This machine's features; the BF16 ratio is timed once, here (`ssdd_bf16_multiply_add_ratio`: ≈ 0.2 ms).
    public static let current: CPUPrecisionFeatures = {
        let bits = ssdd_x86_cpu_features()
        func has(_ flag: Int32) -> Bool { bits & flag != 0 }
        let bf16 = has(SSDD_X86_AVX512_BF16)
        return CPUPrecisionFeatures(
            avx2: has(SSDD_X86_AVX2), avx512: has(SSDD_X86_AVX512), bf16: bf16, vnni: has(SSDD_X86_AVX512_VNNI),
            bf16MultiplyAddRatio: bf16 ? ssdd_bf16_multiply_add_ratio() : 0)
    }()
}
