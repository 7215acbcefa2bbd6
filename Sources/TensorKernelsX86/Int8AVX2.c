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

/// Eight columns' store constants, loaded once per panel instead of once per row (as in the VNNI tile): the zero-point
/// correction `zero·Σw`, the multipliers and the bias, zero past the last column.
typedef struct {
    size_t n;
    __m256i correction;
    __m256 multipliers, bias;
} ssdd_avx2_columns;

SSDD_AVX2 static inline ssdd_avx2_columns ssdd_avx2_columns_at(size_t j0, size_t cols, const ssdd_int8_epilogue *e) {
    ssdd_avx2_columns k;
    k.n = j0 >= cols ? 0 : (cols - j0 < 8 ? cols - j0 : 8);
    float m[8] = {0}, b[8] = {0};
    int32_t s[8] = {0};
    if (k.n > 0) {
        memcpy(m, e->multipliers + j0, k.n * sizeof(float));
        memcpy(b, e->bias + j0, k.n * sizeof(float));
        memcpy(s, e->sums + j0, k.n * sizeof(int32_t));
    }
    k.correction = _mm256_mullo_epi32(_mm256_set1_epi32(e->zero), _mm256_loadu_si256((const __m256i *)s));
    k.multipliers = _mm256_loadu_ps(m);
    k.bias = _mm256_loadu_ps(b);
    return k;
}

SSDD_AVX2 static inline void ssdd_store8(__m256i sums, const ssdd_avx2_columns *k, __m256 low, __m256 high, float *c) {
    if (k->n == 0) return;
    __m256 v = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(sums, k->correction)), k->multipliers, k->bias);
    v = _mm256_min_ps(_mm256_max_ps(v, low), high);
    if (k->n == 8) {
        _mm256_storeu_ps(c, v);
    } else {
        float tmp[8];
        _mm256_storeu_ps(tmp, v);
        memcpy(c, tmp, k->n * sizeof(float));
    }
}

void SSDD_AVX2 ssdd_int8_gemm_avx2(
    const int16_t *a, size_t lda, size_t rows, size_t depth, const int16_t *wide, size_t cols,
    const ssdd_int8_epilogue *e, float *c, size_t ldc) {
    const size_t quads = (depth + 3) / 4;
    const size_t panels = (cols + SSDD_X86_PANEL - 1) / SSDD_X86_PANEL;
    for (size_t p = 0; p < panels; p++) {
        const int16_t *panel = wide + p * quads * SSDD_X86_PANEL * 4;
        const ssdd_avx2_columns k0 = ssdd_avx2_columns_at(p * SSDD_X86_PANEL, cols, e);
        const ssdd_avx2_columns k1 = ssdd_avx2_columns_at(p * SSDD_X86_PANEL + 8, cols, e);
        const __m256 low = _mm256_set1_ps(e->low), high = _mm256_set1_ps(e->high);
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
                ssdd_store8(sums[0], &k0, low, high, row + p * SSDD_X86_PANEL);
                ssdd_store8(sums[1], &k1, low, high, row + p * SSDD_X86_PANEL + 8);
            }
        }
    }
}
