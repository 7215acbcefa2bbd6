// Activation quantization for the INT8 path with AVX-512 (see TensorKernelsX86.h): 16 values per step and a masked
// tail, the same arithmetic as the scalar and AVX2 versions, so the same bytes.
#include <immintrin.h>

#include "TensorKernelsX86.h"

#define SSDD_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

/// Sixteen quantized values as int32 of at least 0: round to nearest even (the default MXCSR mode, like `nearbyintf`).
/// The stores narrow them with unsigned saturation (`vpmovusdb`), which clamps at 255: the same bytes as clamping here.
SSDD_AVX512 static inline __m512i ssdd_quantize16(__m512 x, __m512 inverse, __m512i zero) {
    // Operand order as in the AVX2 version: a NaN product becomes −512 (max returns its second operand on NaN).
    __m512 scaled = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(x, inverse), _mm512_set1_ps(-512.0f)), _mm512_set1_ps(512.0f));
    __m512i v = _mm512_add_epi32(_mm512_cvtps_epi32(scaled), zero);
    return _mm512_max_epi32(v, _mm512_setzero_si512());
}

SSDD_AVX512 void ssdd_quantize_row_u8_avx512(
    const float *x, size_t count, size_t padded, float inverse_scale, int32_t zero, uint8_t *q) {
    __m512 inverse = _mm512_set1_ps(inverse_scale);
    __m512i z = _mm512_set1_epi32(zero);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        _mm_storeu_si128((__m128i *)(q + i), _mm512_cvtusepi32_epi8(ssdd_quantize16(_mm512_loadu_ps(x + i), inverse, z)));
    }
    if (i < count) {
        __mmask16 m = (__mmask16)((1u << (count - i)) - 1);
        _mm512_mask_cvtusepi32_storeu_epi8(q + i, m, ssdd_quantize16(_mm512_maskz_loadu_ps(m, x + i), inverse, z));
        i = count;
    }
    for (; i < padded; i++) q[i] = (uint8_t)zero;
}
