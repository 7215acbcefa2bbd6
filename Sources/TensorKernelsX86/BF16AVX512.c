// The BF16 GEMM tile with AVX-512 BF16 `vdpbf16ps` (see TensorKernelsX86.h): an 8-row × 32-column tile (two panels)
// in 16 zmm accumulators; each step loads two weight vectors (16 columns × a pair of depths) and broadcasts one pair
// of activations per row.
#include <immintrin.h>
#include <string.h>

#include "TensorKernelsX86.h"

#define SSDD_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

SSDD_BF16 static inline void ssdd_bf16_store(
    __m512 acc, size_t j0, size_t cols, const float *bias, float low, float high, float *c) {
    if (j0 >= cols) return;
    size_t n = cols - j0 < 16 ? cols - j0 : 16;
    __mmask16 mask = (__mmask16)((1u << n) - 1u);
    __m512 v = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(mask, bias + j0));
    v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(low)), _mm512_set1_ps(high));
    _mm512_mask_storeu_ps(c + j0, mask, v);
}

void SSDD_BF16 ssdd_bf16_gemm_avx512bf16(
    const uint16_t *a, size_t lda, size_t rows, size_t depth, const uint16_t *packed, size_t cols, const float *bias,
    float low, float high, float *c, size_t ldc) {
    const size_t pairs = (depth + 1) / 2;
    const size_t panelCount = pairs * SSDD_X86_PANEL * 2;
    const size_t panels = (cols + SSDD_X86_PANEL - 1) / SSDD_X86_PANEL;
    for (size_t p = 0; p < panels; p += 2) {
        const uint16_t *wa = packed + p * panelCount;
        const uint16_t *wb = p + 1 < panels ? wa + panelCount : wa;
        for (size_t r = 0; r < rows; r += 8) {
            const uint16_t *ar[8];
            ar[0] = a + r * lda;
            for (int i = 1; i < 8; i++) ar[i] = r + (size_t)i < rows ? ar[i - 1] + lda : ar[i - 1];
            __m512 acc[8][2];
            for (int i = 0; i < 8; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
            for (size_t q = 0; q < pairs; q++) {
                __m512bh w0 = (__m512bh)_mm512_loadu_si512(wa + q * SSDD_X86_PANEL * 2);
                __m512bh w1 = (__m512bh)_mm512_loadu_si512(wb + q * SSDD_X86_PANEL * 2);
                for (int i = 0; i < 8; i++) {
                    int32_t x;
                    memcpy(&x, ar[i] + q * 2, 4);
                    __m512bh b = (__m512bh)_mm512_set1_epi32(x);
                    acc[i][0] = _mm512_dpbf16_ps(acc[i][0], b, w0);
                    acc[i][1] = _mm512_dpbf16_ps(acc[i][1], b, w1);
                }
            }
            for (size_t i = 0; i < 8 && r + i < rows; i++) {
                float *row = c + (r + i) * ldc;
                ssdd_bf16_store(acc[i][0], p * SSDD_X86_PANEL, cols, bias, low, high, row);
                if (p + 1 < panels) ssdd_bf16_store(acc[i][1], (p + 1) * SSDD_X86_PANEL, cols, bias, low, high, row);
            }
        }
    }
}

void SSDD_BF16 ssdd_bf16_convert_rows_avx512bf16(
    const float *x, size_t ldx, size_t rows, size_t count, size_t padded, uint16_t *out) {
    for (size_t r = 0; r < rows; r++) {
        const float *src = x + r * ldx;
        uint16_t *dst = out + r * padded;
        size_t i = 0;
        for (; i + 32 <= count; i += 32) {
            __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(src + i + 16), _mm512_loadu_ps(src + i));
            _mm512_storeu_si512(dst + i, (__m512i)v);
        }
        for (; i < count; i += 16) {
            size_t n = count - i < 16 ? count - i : 16;
            __mmask16 mask = (__mmask16)((1u << n) - 1u);
            __m256bh v = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, src + i));
            _mm256_mask_storeu_epi16(dst + i, mask, (__m256i)v);
        }
        for (i = count; i < padded; i++) dst[i] = 0;
    }
}
