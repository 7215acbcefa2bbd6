// Activation quantization and range for the INT8 path, with AVX2 (see TensorKernelsX86.h).
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "TensorKernelsX86.h"

#define SSDD_AVX2 __attribute__((target("avx2,fma")))

/// Eight quantized values as int32 in 0…255: round to nearest even (the default MXCSR mode, like `nearbyintf`).
SSDD_AVX2 static inline __m256i ssdd_quantize8(__m256 x, __m256 inverse, __m256i zero) {
    __m256 scaled = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(x, inverse), _mm256_set1_ps(-512.0f)), _mm256_set1_ps(512.0f));
    __m256i v = _mm256_add_epi32(_mm256_cvtps_epi32(scaled), zero);
    return _mm256_min_epi32(_mm256_max_epi32(v, _mm256_setzero_si256()), _mm256_set1_epi32(255));
}

SSDD_AVX2 void ssdd_quantize_row_i16_avx2(
    const float *x, size_t count, size_t padded, float inverse_scale, int32_t zero, int16_t *q) {
    __m256 inverse = _mm256_set1_ps(inverse_scale);
    __m256i z = _mm256_set1_epi32(zero);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256i v = ssdd_quantize8(_mm256_loadu_ps(x + i), inverse, z);
        __m256i packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(v, v), 0x08);
        _mm_storeu_si128((__m128i *)(q + i), _mm256_castsi256_si128(packed));
    }
    if (i < count) ssdd_quantize_row_i16(x + i, count - i, padded - i, inverse_scale, zero, q + i);
    else
        for (; i < padded; i++) q[i] = (int16_t)zero;
}

SSDD_AVX2 void ssdd_quantize_row_u8_avx2(
    const float *x, size_t count, size_t padded, float inverse_scale, int32_t zero, uint8_t *q) {
    __m256 inverse = _mm256_set1_ps(inverse_scale);
    __m256i z = _mm256_set1_epi32(zero);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256i v = ssdd_quantize8(_mm256_loadu_ps(x + i), inverse, z);
        __m256i words = _mm256_permute4x64_epi64(_mm256_packs_epi32(v, v), 0x08);
        __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_castsi256_si128(words));
        _mm_storel_epi64((__m128i *)(q + i), bytes);
    }
    if (i < count) ssdd_quantize_row_u8(x + i, count - i, padded - i, inverse_scale, zero, q + i);
    else
        for (; i < padded; i++) q[i] = (uint8_t)zero;
}

SSDD_AVX2 void ssdd_min_max_avx2(const float *x, size_t count, float *low, float *high) {
    __m256 lo = _mm256_set1_ps(INFINITY), hi = _mm256_set1_ps(-INFINITY);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        // min/max return the second operand when either is NaN, so NaN never replaces a bound.
        lo = _mm256_min_ps(v, lo);
        hi = _mm256_max_ps(v, hi);
    }
    float l[8], h[8];
    _mm256_storeu_ps(l, lo);
    _mm256_storeu_ps(h, hi);
    float a = l[0], b = h[0];
    for (int k = 1; k < 8; k++) {
        a = fminf(a, l[k]);
        b = fmaxf(b, h[k]);
    }
    for (; i < count; i++) {
        a = fminf(a, x[i]);
        b = fmaxf(b, x[i]);
    }
    *low = a;
    *high = b;
}
