// The INT8 GEMM tile with AVX-512 VNNI `vpdpbusd` (u8 activations × s8 weights, int32 accumulate; see
// TensorKernelsX86.h): an 8-row × 32-column tile (two panels) in 16 zmm accumulators; each step loads two weight
// vectors (16 columns × 4 depths each) and broadcasts four activation bytes per row.
#include <immintrin.h>
#include <string.h>

#include "TensorKernelsX86.h"

#define SSDD_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

/// One panel's per-column constants, loaded once per panel instead of once per row: the zero-point correction
/// `−zero·Σw` (a `vpmulld`, two µops of 10 cycles' latency, per output vector before) as the accumulators' start
/// (subtracted in the store before, one more operation per output vector), the multipliers and the bias.
typedef struct {
    __mmask16 mask;
    /// `−zero·Σw`, where the accumulators start.
    __m512i start;
    __m512 multipliers, bias;
} ssdd_vnni_columns;

SSDD_VNNI static inline ssdd_vnni_columns ssdd_vnni_columns_at(size_t j0, size_t cols, const ssdd_int8_epilogue *e) {
    ssdd_vnni_columns k;
    size_t n = j0 >= cols ? 0 : (cols - j0 < 16 ? cols - j0 : 16);
    k.mask = (__mmask16)((1u << n) - 1u);
    k.start = _mm512_mullo_epi32(_mm512_set1_epi32(-e->zero), _mm512_maskz_loadu_epi32(k.mask, e->sums + j0));
    k.multipliers = _mm512_maskz_loadu_ps(k.mask, e->multipliers + j0);
    k.bias = _mm512_maskz_loadu_ps(k.mask, e->bias + j0);
    return k;
}

/// `acc` already holds `Σ a·w − zero·Σw`: the accumulators start at `−zero·Σw` (int32 arithmetic wraps, so the sum is
/// the same whichever order the terms come in).
SSDD_VNNI static inline void ssdd_vnni_store(
    __m512i acc, const ssdd_vnni_columns *k, __m512 low, __m512 high, float *c) {
    __m512 v = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), k->multipliers, k->bias);
    v = _mm512_min_ps(_mm512_max_ps(v, low), high);
    _mm512_mask_storeu_ps(c, k->mask, v);
}

void SSDD_VNNI ssdd_int8_gemm_avx512vnni(
    const uint8_t *a, size_t lda, size_t rows, size_t depth, const int8_t *packed, size_t cols,
    const ssdd_int8_epilogue *e, float *c, size_t ldc) {
    const size_t quads = (depth + 3) / 4;
    const size_t panelBytes = quads * SSDD_X86_PANEL * 4;
    const size_t panels = (cols + SSDD_X86_PANEL - 1) / SSDD_X86_PANEL;
    for (size_t p = 0; p < panels; p += 2) {
        const int8_t *wa = packed + p * panelBytes;
        // A lone last panel reads itself twice; the second half is not stored.
        const int8_t *wb = p + 1 < panels ? wa + panelBytes : wa;
        const ssdd_vnni_columns k0 = ssdd_vnni_columns_at(p * SSDD_X86_PANEL, cols, e);
        const ssdd_vnni_columns k1 = ssdd_vnni_columns_at((p + 1) * SSDD_X86_PANEL, cols, e);
        const __m512 low = _mm512_set1_ps(e->low), high = _mm512_set1_ps(e->high);
        for (size_t r = 0; r < rows; r += 8) {
            const uint8_t *ar[8];
            ar[0] = a + r * lda;
            for (int i = 1; i < 8; i++) ar[i] = r + (size_t)i < rows ? ar[i - 1] + lda : ar[i - 1];
            __m512i acc[8][2];
            for (int i = 0; i < 8; i++) {
                acc[i][0] = k0.start;
                acc[i][1] = k1.start;
            }
            for (size_t q = 0; q < quads; q++) {
                _mm_prefetch((const char *)(wa + (q + 8) * SSDD_X86_PANEL * 4), _MM_HINT_T0);
                _mm_prefetch((const char *)(wb + (q + 8) * SSDD_X86_PANEL * 4), _MM_HINT_T0);
                __m512i w0 = _mm512_loadu_si512(wa + q * SSDD_X86_PANEL * 4);
                __m512i w1 = _mm512_loadu_si512(wb + q * SSDD_X86_PANEL * 4);
                for (int i = 0; i < 8; i++) {
                    int32_t x;
                    memcpy(&x, ar[i] + q * 4, 4);
                    __m512i b = _mm512_set1_epi32(x);
                    acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], b, w0);
                    acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], b, w1);
                }
            }
            for (size_t i = 0; i < 8 && r + i < rows; i++) {
                float *row = c + (r + i) * ldc;
                ssdd_vnni_store(acc[i][0], &k0, low, high, row + p * SSDD_X86_PANEL);
                if (p + 1 < panels) ssdd_vnni_store(acc[i][1], &k1, low, high, row + (p + 1) * SSDD_X86_PANEL);
            }
        }
    }
}
