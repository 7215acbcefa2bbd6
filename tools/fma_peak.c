// The single-thread fp32 FMA peak of this CPU, measured: twelve independent accumulator chains of 512-bit (then
// 256-bit) vfmadd231ps, long enough that latency is hidden, so the figure is the FMA units' throughput. The closing
// notes state ssdd's GFLOP/s as a share of it. The 512-bit part runs only where the CPU has AVX-512.
//
//   clang -O2 tools/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static const long steps = 200000000;

__attribute__((target("avx512f"))) static void zmmPeak(void) {
    __m512 z[12], zb = _mm512_set1_ps(1.0000001f), zc = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) z[i] = _mm512_set1_ps((float)i);
    double t = now();
    for (long k = 0; k < steps; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) z[i] = _mm512_fmadd_ps(z[i], zb, zc);
    }
    t = now() - t;
    float sum = 0;
    for (int i = 0; i < 12; i++) sum += _mm512_reduce_add_ps(z[i]);
    printf("zmm FMA: %.1f GFLOP/s (checksum %g)\n", steps * 12.0 * 32 / t / 1e9, sum);
}

__attribute__((target("avx2,fma"))) static void ymmPeak(void) {
    __m256 y[12], yb = _mm256_set1_ps(1.0000001f), yc = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) y[i] = _mm256_set1_ps((float)i);
    double t = now();
    for (long k = 0; k < steps; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) y[i] = _mm256_fmadd_ps(y[i], yb, yc);
    }
    t = now() - t;
    float lanes[8];
    float sum = 0;
    for (int i = 0; i < 12; i++) {
        _mm256_storeu_ps(lanes, y[i]);
        sum += lanes[0];
    }
    printf("ymm FMA: %.1f GFLOP/s (checksum %g)\n", steps * 12.0 * 16 / t / 1e9, sum);
}

int main(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) zmmPeak(); else printf("zmm FMA: no AVX-512 on this CPU\n");
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ymmPeak(); else printf("ymm FMA: no AVX2 + FMA\n");
    return 0;
}
