// Whether `vdpbf16ps` pays on this CPU (see TensorKernelsX86.h): its multiply-adds per second against those of zmm
// `vfmadd231ps`, each timed on twelve independent accumulator chains (enough to hide either instruction's latency).
// AMD Zen 4/5 issue one `vdpbf16ps` (32 multiply-adds) at the rate of one zmm FMA (16): twice fp32's rate. Intel's
// cores without AMX (Sapphire and Emerald Rapids as VMs expose them) issue one every other cycle against two zmm FMAs
// a cycle: half fp32's rate, and every activation must still be rounded to bf16, so bf16 runs slower than fp32 there.
// The fp32 probe alone also gives the core's zmm FMA peak, which `ssdd bench` reports its GFLOP/s against, and a
// `vpdpbusd` probe the INT8 peak, which it reports int8 passes against.
#include <immintrin.h>
#include <time.h>

#include "TensorKernelsX86.h"

/// Steps per timed trial: 12 chains × 2048 steps, ≈ 5 µs of FMAs and ≈ 18 µs of `vdpbf16ps` on a 2.7 GHz Emerald Rapids,
/// short enough to fit between preemptions.
#define SSDD_PROBE_STEPS 2048
#define SSDD_PROBE_TRIALS 7

static double ssdd_probe_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/// A trial's time `t`, after the 12 chains `z` are summed so the compiler keeps them: the sum is never NaN, so the
/// comparison is false, but the compiler cannot know.
__attribute__((target("avx512f"))) static inline double ssdd_probe_result(const __m512 *z, double t) {
    __m512 sum = z[0];
    for (int i = 1; i < 12; i++) sum = _mm512_add_ps(sum, z[i]);
    return _mm512_reduce_add_ps(sum) != _mm512_reduce_add_ps(sum) ? -1.0 : t;
}

__attribute__((target("avx512f"), noinline)) static double ssdd_probe_fma(float seed) {
    __m512 z[12];
    const __m512 b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) z[i] = _mm512_set1_ps(seed + (float)i);
    double t = ssdd_probe_now();
    for (int k = 0; k < SSDD_PROBE_STEPS; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) z[i] = _mm512_fmadd_ps(z[i], b, c);
    }
    return ssdd_probe_result(z, ssdd_probe_now() - t);
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"), noinline)) static double ssdd_probe_dpbf16(float seed) {
    __m512 z[12];
    const __m512bh a = (__m512bh)_mm512_set1_epi32(0x3f803f80), b = (__m512bh)_mm512_set1_epi32(0x33d633d6);
    for (int i = 0; i < 12; i++) z[i] = _mm512_set1_ps(seed + (float)i);
    double t = ssdd_probe_now();
    for (int k = 0; k < SSDD_PROBE_STEPS; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) z[i] = _mm512_dpbf16_ps(z[i], a, b);
    }
    return ssdd_probe_result(z, ssdd_probe_now() - t);
}

double ssdd_bf16_multiply_add_ratio(void) {
    if ((ssdd_x86_cpu_features() & SSDD_X86_AVX512_BF16) == 0) return 0;
    // The fastest of several alternating trials: a trial the scheduler interrupts, or the first ones while the core
    // raises its AVX-512 power level, only ever run slow.
    double fma = 1e9, dpbf16 = 1e9;
    for (int trial = 0; trial < SSDD_PROBE_TRIALS; trial++) {
        double f = ssdd_probe_fma((float)trial), d = ssdd_probe_dpbf16((float)trial);
        if (f > 0 && f < fma) fma = f;
        if (d > 0 && d < dpbf16) dpbf16 = d;
    }
    if (fma >= 1e9 || dpbf16 >= 1e9 || dpbf16 <= 0) return 0;
    // Per step and chain: 16 multiply-adds of fp32, 32 of bf16.
    return (32.0 / dpbf16) / (16.0 / fma);
}

/// The fastest of `3 × SSDD_PROBE_TRIALS` timings of `probe(trial)` in seconds, or 0 if none was valid.
static double ssdd_probe_fastest(double (*probe)(int trial)) {
    double best = 1e9;
    for (int trial = 0; trial < 3 * SSDD_PROBE_TRIALS; trial++) {
        double t = probe(trial);
        if (t > 0 && t < best) best = t;
    }
    return best < 1e9 ? best : 0;
}

static double ssdd_probe_fma_trial(int trial) { return ssdd_probe_fma((float)trial); }

double ssdd_fma_peak_gflops(void) {
    if ((ssdd_x86_cpu_features() & SSDD_X86_AVX512) == 0) return 0;
    double fma = ssdd_probe_fastest(ssdd_probe_fma_trial);
    // 12 chains × the steps × 16 lanes × 2 operations.
    return fma > 0 ? 12.0 * SSDD_PROBE_STEPS * 16 * 2 / fma / 1e9 : 0;
}

__attribute__((target("avx512f,avx512bw,avx512vnni"), noinline)) static double ssdd_probe_dpbusd(int seed) {
    __m512i z[12];
    const __m512i a = _mm512_set1_epi32(0x01010101), b = _mm512_set1_epi32(0x02020202);
    for (int i = 0; i < 12; i++) z[i] = _mm512_set1_epi32(seed + i);
    double t = ssdd_probe_now();
    for (int k = 0; k < SSDD_PROBE_STEPS; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) z[i] = _mm512_dpbusd_epi32(z[i], a, b);
    }
    double elapsed = ssdd_probe_now() - t;
    // Keep the chains: their sum is a known value the compiler cannot fold away through the loop.
    __m512i sum = z[0];
    for (int i = 1; i < 12; i++) sum = _mm512_add_epi32(sum, z[i]);
    return _mm512_reduce_add_epi32(sum) == 0x7fffffff ? -1.0 : elapsed;
}

double ssdd_vnni_peak_gops(void) {
    if ((ssdd_x86_cpu_features() & SSDD_X86_AVX512_VNNI) == 0) return 0;
    double dpbusd = ssdd_probe_fastest(ssdd_probe_dpbusd);
    // 12 chains × the steps × 64 byte products × 2 operations (multiply, add).
    return dpbusd > 0 ? 12.0 * SSDD_PROBE_STEPS * 64 * 2 / dpbusd / 1e9 : 0;
}
