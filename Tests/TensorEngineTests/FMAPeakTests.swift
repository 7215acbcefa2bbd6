import Testing

@testable import TensorEngine

/// The zmm FMA peak `ssdd bench` reports its GFLOP/s against, and the `vpdpbusd` peak it reports INT8 passes against,
/// are measured on this core.
@Suite("Measured FMA peak")
struct FMAPeakTests {
    /// A real measurement on AVX-512 CPUs (16 lanes × 2 operations per FMA, at least a few GHz of them; far below the
    /// ~400 GFLOP/s of two FMA pipes at 6 GHz), 0 elsewhere.
    @Test func peakIsMeasuredOnAVX512() {
        let peak = TensorEngineInfo.measuredFMAPeak()
        if CPUFeatures.hasAVX512 {
            #expect(peak > 10 && peak < 1000, "peak \(peak) GFLOP/s")
        } else {
            #expect(peak == 0)
        }
    }

    /// The `vpdpbusd` peak INT8 passes are compared with: 64 byte products × 2 operations per instruction, so 4× the FMA
    /// rate per instruction issued (Emerald Rapids: 694–740 GOPS against 154–178 GFLOP/s); 0 without AVX-512 VNNI.
    @Test func vnniPeakIsMeasuredWithVNNI() {
        let peak = TensorEngineInfo.measuredVNNIPeak()
        if CPUPrecisionFeatures.current.vnni {
            #expect(peak > 40 && peak < 4000, "peak \(peak) GOPS")
        } else {
            #expect(peak == 0)
        }
    }
}
