// The INT8 GEMM tile for CPUs without VNNI: AVX2 `vpmaddwd` on int16-widened values (see TensorKernelsX86.h).
//
// Every u8·s8 product and every pair sum fits int16·int16 → int32 exactly, so the result equals the VNNI kernel's and
// the scalar reference's to the bit. A 3-row × 16-column tile keeps 12 accumulators; each holds, per output column, the
// two partial sums of a quad's pairs (k0+k1, k2+k3), which `vphaddd` folds at the store.
#include <immintrin.h>
#include <string.h>

#include "TensorKernelsX86.h"

#define SSDD_AVX2 __attribute__((target("avx2,fma")))

/// Folds four accumulators (columns 0–3, 4–7, 8–11, 12–15 as pair sums) into two vectors of 8 column sums.
SSDD_AVX2 static inline void ssdd_fold(const __m256i acc[4], __m256i out[2]) {
    // hadd within 128-bit lanes: lane 0 = (c0, c1, c4, c5), lane 1 = (c2, c3, c6, c7); permute puts them in order.
    out[0] = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[0], acc[1]), 0xD8);
    out[1] = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[2], acc[3]), 0xD8);
}

SSDD_AVX2 static inline void ssdd_store8(
    __m256i sums, size_t j0, size_t cols, const ssdd_int8_epilogue *e, float *c) {
    if (j0 >= cols) return;
    size_t n = cols - j0 < 8 ? cols - j0 : 8;
    float tmpm[8], tmpb[8];
    int32_t tmps[8];
    const float *m = e->multipliers + j0, *b = e->bias + j0;
    const int32_t *s = e->sums + j0;
    if (n < 8) {
        memset(tmpm, 0, sizeof tmpm);
        memset(tmpb, 0, sizeof tmpb);
        memset(tmps, 0, sizeof tmps);
        memcpy(tmpm, m, n * sizeof(float));
        memcpy(tmpb, b, n * sizeof(float));
        memcpy(tmps, s, n * sizeof(int32_t));
        m = tmpm;
        b = tmpb;
        s = tmps;
    }
    __m256i corrected = _mm256_sub_epi32(sums, _mm256_mullo_epi32(_mm256_set1_epi32(e->zero), _mm256_loadu_si256((const __m256i *)s)));
    __m256 v = _mm256_fmadd_ps(_mm256_cvtepi32_ps(corrected), _mm256_loadu_ps(m), _mm256_loadu_ps(b));
    v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(e->low)), _mm256_set1_ps(e->high));
    if (n == 8) {
        _mm256_storeu_ps(c + j0, v);
    } else {
        float tmp[8];
        _mm256_storeu_ps(tmp, v);
        memcpy(c + j0, tmp, n * sizeof(float));
    }
}

void SSDD_AVX2 ssdd_int8_gemm_avx2(
    const int16_t *a, size_t lda, size_t rows, size_t depth, const int16_t *wide, size_t cols,
    const ssdd_int8_epilogue *e, float *c, size_t ldc) {
    const size_t quads = (depth + 3) / 4;
    const size_t panels = (cols + SSDD_X86_PANEL - 1) / SSDD_X86_PANEL;
    for (size_t p = 0; p < panels; p++) {
        const int16_t *panel = wide + p * quads * SSDD_X86_PANEL * 4;
        for (size_t r = 0; r < rows; r += 3) {
            const int16_t *a0 = a + r * lda;
            const int16_t *a1 = r + 1 < rows ? a0 + lda : a0;
            const int16_t *a2 = r + 2 < rows ? a1 + lda : a1;
            __m256i acc[3][4];
            for (int i = 0; i < 3; i++)
                for (int v = 0; v < 4; v++) acc[i][v] = _mm256_setzero_si256();
            const int16_t *w = panel;
            for (size_t q = 0; q < quads; q++, w += SSDD_X86_PANEL * 4) {
                __m256i w0 = _mm256_loadu_si256((const __m256i *)w);
                __m256i w1 = _mm256_loadu_si256((const __m256i *)(w + 16));
                __m256i w2 = _mm256_loadu_si256((const __m256i *)(w + 32));
                __m256i w3 = _mm256_loadu_si256((const __m256i *)(w + 48));
                int64_t x0, x1, x2;
                memcpy(&x0, a0 + q * 4, 8);
                memcpy(&x1, a1 + q * 4, 8);
                memcpy(&x2, a2 + q * 4, 8);
                __m256i b0 = _mm256_set1_epi64x(x0), b1 = _mm256_set1_epi64x(x1), b2 = _mm256_set1_epi64x(x2);
                acc[0][0] = _mm256_add_epi32(acc[0][0], _mm256_madd_epi16(b0, w0));
                acc[0][1] = _mm256_add_epi32(acc[0][1], _mm256_madd_epi16(b0, w1));
                acc[0][2] = _mm256_add_epi32(acc[0][2], _mm256_madd_epi16(b0, w2));
                acc[0][3] = _mm256_add_epi32(acc[0][3], _mm256_madd_epi16(b0, w3));
                acc[1][0] = _mm256_add_epi32(acc[1][0], _mm256_madd_epi16(b1, w0));
                acc[1][1] = _mm256_add_epi32(acc[1][1], _mm256_madd_epi16(b1, w1));
                acc[1][2] = _mm256_add_epi32(acc[1][2], _mm256_madd_epi16(b1, w2));
                acc[1][3] = _mm256_add_epi32(acc[1][3], _mm256_madd_epi16(b1, w3));
                acc[2][0] = _mm256_add_epi32(acc[2][0], _mm256_madd_epi16(b2, w0));
                acc[2][1] = _mm256_add_epi32(acc[2][1], _mm256_madd_epi16(b2, w1));
                acc[2][2] = _mm256_add_epi32(acc[2][2], _mm256_madd_epi16(b2, w2));
                acc[2][3] = _mm256_add_epi32(acc[2][3], _mm256_madd_epi16(b2, w3));
            }
            for (size_t i = 0; i < 3 && r + i < rows; i++) {
                __m256i sums[2];
                ssdd_fold(acc[i], sums);
                float *row = c + (r + i) * ldc;
                ssdd_store8(sums[0], p * SSDD_X86_PANEL, cols, e, row);
                ssdd_store8(sums[1], p * SSDD_X86_PANEL + 8, cols, e, row);
            }
        }
    }
}
