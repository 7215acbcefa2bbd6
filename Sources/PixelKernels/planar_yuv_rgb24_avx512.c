// Kernels of the planar YUV conversion with AVX-512 (VBMI for the RGB interleave), each with the portable kernel's
// integer arithmetic lane for lane: the RGB24 row sixteen pixels a step (32-bit products that wrap, the 30-bit clip,
// the top 8 bits), the three channels' bytes interleaved by one byte permutation; and the 2× chroma enlargement 32
// outputs a step (`vpmaddwd` on sample pairs, the 15-bit shift and saturation).
#include <immintrin.h>

#include "PixelKernels.h"
#include "avx512_vbmi.h"
#include "planar_yuv_rgb24_avx512.h"

/// `value`'s top 8 of 30 bits after clipping it to 0…2³⁰ − 1, as 16 bytes: `value >> 22` (arithmetic) clamped at 0 and
/// narrowed with unsigned saturation at 255 — the same byte for every 32-bit value.
SSDD_AVX512_VBMI static inline __m128i ssdd_yuv_top8x16(__m512i value) {
    return _mm512_cvtusepi32_epi8(_mm512_max_epi32(_mm512_srai_epi32(value, 22), _mm512_setzero_si512()));
}

SSDD_AVX512_VBMI size_t ssdd_yuv_rgb24_row_lines_avx512(
    const uint8_t *y, const int16_t *u0, const int16_t *u1, const int16_t *v0, const int16_t *v1, size_t count,
    const ssdd_yuv_coefficients *k, uint8_t *rgb) {
    const __m512i yOffset = _mm512_set1_epi32(k->y_offset), yCoeff = _mm512_set1_epi32(k->y_coeff);
    const __m512i v2r = _mm512_set1_epi32(k->v2r), v2g = _mm512_set1_epi32(k->v2g);
    const __m512i u2g = _mm512_set1_epi32(k->u2g), u2b = _mm512_set1_epi32(k->u2b);
    const __m512i round = _mm512_set1_epi32(1 << 21);
    const int two = u1 != NULL && v1 != NULL;
    // One line: (c − 128·2⁷)·4; two: (c0 + c1 − 128·2⁸)·2.
    const __m512i center = _mm512_set1_epi32(two ? 128 << 8 : 128 << 7);
    // Output byte 3i + c is byte 16c + i of [R | G | B].
    uint8_t order[64] = {0};
    for (int i = 0; i < 16; i++) {
        for (int c = 0; c < 3; c++) order[3 * i + c] = (uint8_t)(16 * c + i);
    }
    const __m512i interleave = _mm512_loadu_si512(order);
    const __mmask64 bytes48 = (((__mmask64)1) << 48) - 1;
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i cu = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(u0 + i)));
        __m512i cv = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(v0 + i)));
        if (two) {
            cu = _mm512_add_epi32(cu, _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(u1 + i))));
            cv = _mm512_add_epi32(cv, _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(v1 + i))));
            cu = _mm512_slli_epi32(_mm512_sub_epi32(cu, center), 1);
            cv = _mm512_slli_epi32(_mm512_sub_epi32(cv, center), 1);
        } else {
            cu = _mm512_slli_epi32(_mm512_sub_epi32(cu, center), 2);
            cv = _mm512_slli_epi32(_mm512_sub_epi32(cv, center), 2);
        }
        __m512i luma = _mm512_slli_epi32(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(y + i))), 9);
        luma = _mm512_add_epi32(_mm512_mullo_epi32(_mm512_sub_epi32(luma, yOffset), yCoeff), round);
        __m128i r = ssdd_yuv_top8x16(_mm512_add_epi32(luma, _mm512_mullo_epi32(cv, v2r)));
        __m128i g = ssdd_yuv_top8x16(
            _mm512_add_epi32(_mm512_add_epi32(luma, _mm512_mullo_epi32(cv, v2g)), _mm512_mullo_epi32(cu, u2g)));
        __m128i b = ssdd_yuv_top8x16(_mm512_add_epi32(luma, _mm512_mullo_epi32(cu, u2b)));
        __m512i planes = _mm512_inserti32x4(_mm512_inserti32x4(_mm512_castsi128_si512(r), g, 1), b, 2);
        __m512i pixels = _mm512_permutexvar_epi8(interleave, planes);
        // A whole 64-byte store while the 16 bytes past these pixels are the next ones' (the next step overwrites them;
        // a masked byte store costs more), a masked one at the end of the row.
        if (3 * i + 64 <= 3 * count) {
            _mm512_storeu_si512(rgb + 3 * i, pixels);
        } else {
            _mm512_mask_storeu_epi8(rgb + 3 * i, bytes48, pixels);
        }
    }
    return i;
}

SSDD_AVX512_VBMI size_t ssdd_yuv_hscale_8to15_double_avx512(
    const uint8_t *src, size_t pairs, int16_t a, int16_t b, int16_t *dst) {
    if (a < 0 || b < 0) return 0;  // sums of non-negative terms only: the saturation below is then the portable min
    // 16-bit weight pairs: (a, b) for output 2k + 1, (b, a) for 2k + 2, against (src[k], src[k + 1]).
    const __m512i ab = _mm512_set1_epi32((int32_t)((uint32_t)(uint16_t)a | (uint32_t)(uint16_t)b << 16));
    const __m512i ba = _mm512_set1_epi32((int32_t)((uint32_t)(uint16_t)b | (uint32_t)(uint16_t)a << 16));
    // Word j of the 32 outputs: output 2i + 1 (odd[i]) for j = 2i, output 2i + 2 (even[i]) for j = 2i + 1.
    int16_t order[32];
    for (int i = 0; i < 16; i++) {
        order[2 * i] = (int16_t)i;
        order[2 * i + 1] = (int16_t)(32 + i);
    }
    const __m512i interleave = _mm512_loadu_si512(order);
    size_t k = 0;
    // Reads src[k … k + 16]: the portable loop reads up to src[pairs].
    for (; k + 16 <= pairs; k += 16) {
        __m512i s0 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(src + k)));
        __m512i s1 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(src + k + 1)));
        __m512i both = _mm512_or_si512(s0, _mm512_slli_epi32(s1, 16));
        // (s0·a + s1·b) >> 7 and (s0·b + s1·a) >> 7, at most 32767 (signed saturation of non-negative sums).
        __m256i odd = _mm512_cvtsepi32_epi16(_mm512_srai_epi32(_mm512_madd_epi16(both, ab), 7));
        __m256i even = _mm512_cvtsepi32_epi16(_mm512_srai_epi32(_mm512_madd_epi16(both, ba), 7));
        __m512i out = _mm512_permutex2var_epi16(_mm512_castsi256_si512(odd), interleave, _mm512_castsi256_si512(even));
        _mm512_storeu_si512(dst + 2 * k + 1, out);
    }
    return k;
}
