import Testing

@testable import TensorEngine

/// The zmm FMA peak `ssdd bench` reports its GFLOP/s against is measured on this core.
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
}
