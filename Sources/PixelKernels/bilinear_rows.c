// Row kernels of the exact bilinear resize (see bilinear_rows.h). Every float operation is written out as the
// portable Swift path does it — separate multiplies and adds, in its order — and contraction into FMAs is off, so both
// paths give the same bits.
#include "bilinear_rows.h"

#include <immintrin.h>

#include "avx512_vbmi.h"

#pragma clang fp contract(off)

void ssdd_bilinear_plan(const int32_t *left, const int32_t *right, size_t count, ssdd_bilinear_chunk *chunks) {
    for (size_t k = 0; k < count / 16; k++) {
        const int32_t *l = left + 16 * k, *r = right + 16 * k;
        int32_t low = l[0], high = l[0];
        for (int i = 0; i < 16; i++) {
            low = l[i] < low ? l[i] : low;
            low = r[i] < low ? r[i] : low;
            high = l[i] > high ? l[i] : high;
            high = r[i] > high ? r[i] : high;
        }
        ssdd_bilinear_chunk *c = chunks + k;
        *c = (ssdd_bilinear_chunk){0};
        c->base = low;
        c->span = high - low < 128 ? high - low + 1 : 0;
        if (c->span == 0) continue;
        for (int i = 0; i < 16; i++) {
            c->left[4 * i] = (uint8_t)(l[i] - low);
            c->right[4 * i] = (uint8_t)(r[i] - low);
        }
        for (int half = 0; half < 2; half++) {
            int n = c->span - 64 * half;
            c->masks[half] = n <= 0 ? 0 : n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
        }
    }
}

/// One output value of the horizontal pass, as the portable path computes it.
static inline float ssdd_bilinear_value(
    float l, float r, float w, const float *scale, const float *offset, size_t i, int legacy) {
    if (scale) {
        l = l * scale[i] + offset[i];
        r = r * scale[i] + offset[i];
    }
    return legacy ? l + (r - l) * w : l * (1 - w) + r * w;
}

/// The taps of a chunk's sixteen values as floats. The window is read with masked loads, so no byte outside it is; the
/// permutation leaves each tap in the low byte of a 32-bit lane and zeroes the other three, which makes it the lane's
/// value.
SSDD_AVX512_VBMI static inline void ssdd_bilinear_taps(
    const uint8_t *line, const ssdd_bilinear_chunk *c, __m512 *l, __m512 *r) {
    const __mmask64 lanes = 0x1111111111111111ull;
    const uint8_t *window = line + c->base;
    __m512i li = _mm512_loadu_si512(c->left), ri = _mm512_loadu_si512(c->right), lb, rb;
    __m512i low = _mm512_maskz_loadu_epi8(c->masks[0], window);
    if (c->span <= 64) {
        lb = _mm512_maskz_permutexvar_epi8(lanes, li, low);
        rb = _mm512_maskz_permutexvar_epi8(lanes, ri, low);
    } else {
        __m512i high = _mm512_maskz_loadu_epi8(c->masks[1], window + 64);
        lb = _mm512_maskz_permutex2var_epi8(lanes, low, li, high);
        rb = _mm512_maskz_permutex2var_epi8(lanes, low, ri, high);
    }
    *l = _mm512_cvtepi32_ps(lb);
    *r = _mm512_cvtepi32_ps(rb);
}

SSDD_AVX512_VBMI __attribute__((always_inline)) static inline void ssdd_bilinear_horizontal_body(
    const uint8_t *line, const ssdd_bilinear_chunk *chunks, const int32_t *left, const int32_t *right,
    const float *weight, const float *scale, const float *offset, size_t count, int legacy, int mapped, float *out) {
    const __m512 one = _mm512_set1_ps(1);
    size_t k = 0;
    for (; k < count / 16; k++) {
        const ssdd_bilinear_chunk *c = chunks + k;
        size_t i = 16 * k;
        if (c->span == 0) {
            for (size_t j = i; j < i + 16; j++) {
                out[j] = ssdd_bilinear_value(
                    line[left[j]], line[right[j]], weight[j], mapped ? scale : 0, offset, j, legacy);
            }
            continue;
        }
        __m512 l, r;
        ssdd_bilinear_taps(line, c, &l, &r);
        if (mapped) {
            __m512 s = _mm512_loadu_ps(scale + i), o = _mm512_loadu_ps(offset + i);
            l = _mm512_add_ps(_mm512_mul_ps(l, s), o);
            r = _mm512_add_ps(_mm512_mul_ps(r, s), o);
        }
        __m512 w = _mm512_loadu_ps(weight + i), v;
        if (legacy) {
            v = _mm512_add_ps(l, _mm512_mul_ps(_mm512_sub_ps(r, l), w));
        } else {
            v = _mm512_add_ps(_mm512_mul_ps(l, _mm512_sub_ps(one, w)), _mm512_mul_ps(r, w));
        }
        _mm512_storeu_ps(out + i, v);
    }
    for (size_t j = 16 * k; j < count; j++) {
        out[j] = ssdd_bilinear_value(line[left[j]], line[right[j]], weight[j], mapped ? scale : 0, offset, j, legacy);
    }
}

SSDD_AVX512_VBMI void ssdd_bilinear_horizontal(
    const uint8_t *line, const ssdd_bilinear_chunk *chunks, const int32_t *left, const int32_t *right,
    const float *weight, const float *scale, const float *offset, size_t count, int legacy, float *out) {
    // Four copies, one per variant, so the loop has no branch on them.
    if (legacy) {
        if (scale) ssdd_bilinear_horizontal_body(line, chunks, left, right, weight, scale, offset, count, 1, 1, out);
        else ssdd_bilinear_horizontal_body(line, chunks, left, right, weight, scale, offset, count, 1, 0, out);
    } else {
        if (scale) ssdd_bilinear_horizontal_body(line, chunks, left, right, weight, scale, offset, count, 0, 1, out);
        else ssdd_bilinear_horizontal_body(line, chunks, left, right, weight, scale, offset, count, 0, 0, out);
    }
}

SSDD_AVX512_VBMI __attribute__((always_inline)) static inline void ssdd_bilinear_vertical_body(
    const float *top, const float *bottom, float wy, const float *scale, const float *offset, size_t count, int legacy,
    int mapped, float *out) {
    const __m512 w = _mm512_set1_ps(wy), w1 = _mm512_set1_ps(1 - wy);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 t = _mm512_loadu_ps(top + i), b = _mm512_loadu_ps(bottom + i), v;
        if (legacy) {
            v = _mm512_add_ps(t, _mm512_mul_ps(_mm512_sub_ps(b, t), w));
        } else {
            v = _mm512_add_ps(_mm512_mul_ps(t, w1), _mm512_mul_ps(b, w));
        }
        if (mapped) v = _mm512_add_ps(_mm512_mul_ps(v, _mm512_loadu_ps(scale + i)), _mm512_loadu_ps(offset + i));
        _mm512_storeu_ps(out + i, v);
    }
    for (; i < count; i++) {
        float v = legacy ? top[i] + (bottom[i] - top[i]) * wy : top[i] * (1 - wy) + bottom[i] * wy;
        out[i] = mapped ? v * scale[i] + offset[i] : v;
    }
}

SSDD_AVX512_VBMI void ssdd_bilinear_vertical(
    const float *top, const float *bottom, float wy, const float *scale, const float *offset, size_t count, int legacy,
    float *out) {
    if (legacy) {
        if (scale) ssdd_bilinear_vertical_body(top, bottom, wy, scale, offset, count, 1, 1, out);
        else ssdd_bilinear_vertical_body(top, bottom, wy, scale, offset, count, 1, 0, out);
    } else {
        if (scale) ssdd_bilinear_vertical_body(top, bottom, wy, scale, offset, count, 0, 1, out);
        else ssdd_bilinear_vertical_body(top, bottom, wy, scale, offset, count, 0, 0, out);
    }
}
