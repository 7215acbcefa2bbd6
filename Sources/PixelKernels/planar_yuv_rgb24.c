// Row kernels of the planar YUV → RGB24 conversion (see PixelKernels.h). Plain C: the loops are simple enough for the
// compiler to vectorise, and every operation is integer, so the bytes do not depend on how it does. The RGB row and
// the 2× chroma enlargement run 16 at a time with AVX-512 where the CPU has it (planar_yuv_rgb24_avx512.c), here for
// the rest.
#include <stdatomic.h>

#include "PixelKernels.h"
#include "planar_yuv_rgb24_avx512.h"

/// A filtered sum of 8-bit samples times 14-bit weights as libswscale's 15-bit intermediate: `>> 7`, at most 32767.
static inline int16_t ssdd_yuv_15bit(int32_t sum) {
    sum >>= 7;
    return (int16_t)(sum < 32767 ? sum : 32767);
}

void ssdd_yuv_hscale_8to15(
    const uint8_t *src, const int16_t *filter, const int32_t *positions, size_t size, size_t count, int16_t *dst) {
    for (size_t i = 0; i < count; i++) {
        const uint8_t *s = src + positions[i];
        const int16_t *f = filter + i * size;
        int32_t sum = 0;
        // Zero weights are skipped: libswscale pads short filters with them past the plane's last sample (a 1-sample
        // chroma row gets four taps), and the sum is the same without reading there.
        for (size_t j = 0; j < size; j++) {
            if (f[j] != 0) sum += (int32_t)s[j] * f[j];
        }
        dst[i] = ssdd_yuv_15bit(sum);
    }
}

/// One 15-bit sample from two neighbouring 8-bit samples.
static inline int16_t ssdd_yuv_pair(const uint8_t *s, int32_t w0, int32_t w1) {
    return ssdd_yuv_15bit((int32_t)s[0] * w0 + (int32_t)s[1] * w1);
}

void ssdd_yuv_hscale_8to15_pairs(
    const uint8_t *src, const int16_t *weights, const int32_t *positions, size_t count, int16_t *dst) {
    for (size_t i = 0; i < count; i++) dst[i] = ssdd_yuv_pair(src + positions[i], weights[2 * i], weights[2 * i + 1]);
}

/// Outputs `2k + 1` and `2k + 2` of ``ssdd_yuv_hscale_8to15_double`` for `k` in `first..<pairs`.
__attribute__((target_clones("avx2", "default")))
static void ssdd_yuv_double_pairs(const uint8_t *src, size_t first, size_t pairs, int16_t a, int16_t b, int16_t *dst) {
    const int32_t wa = a, wb = b;
    for (size_t k = first; k < pairs; k++) {
        int32_t s0 = src[k], s1 = src[k + 1];
        dst[2 * k + 1] = ssdd_yuv_15bit(s0 * wa + s1 * wb);
        dst[2 * k + 2] = ssdd_yuv_15bit(s0 * wb + s1 * wa);
    }
}

/// Whether this CPU runs the AVX-512 kernels (asked once; readers on several threads find the same).
static int ssdd_yuv_avx512(void) {
    static _Atomic int known = -1;
    int avx512 = atomic_load_explicit(&known, memory_order_relaxed);
    if (avx512 < 0) {
        avx512 = ssdd_pixel_kernels_avx512_supported();
        atomic_store_explicit(&known, avx512, memory_order_relaxed);
    }
    return avx512;
}

void ssdd_yuv_hscale_8to15_double(
    const uint8_t *src, size_t count, const int32_t first[3], const int32_t last[3], int16_t a, int16_t b,
    int16_t *dst) {
    dst[0] = ssdd_yuv_pair(src + first[0], first[1], first[2]);
    const size_t pairs = (count - 2) / 2;
    size_t done = ssdd_yuv_avx512() ? ssdd_yuv_hscale_8to15_double_avx512(src, pairs, a, b, dst) : 0;
    ssdd_yuv_double_pairs(src, done, pairs, a, b, dst);
    dst[count - 1] = ssdd_yuv_pair(src + last[0], last[1], last[2]);
}

/// `value` clipped to 0…2³⁰ − 1 (as a signed 32-bit number), then its top 8 of 30 bits.
static inline uint8_t ssdd_yuv_top8(uint32_t value) {
    int32_t s = (int32_t)value;
    s = s < 0 ? 0 : (s > (1 << 30) - 1 ? (1 << 30) - 1 : s);
    return (uint8_t)(s >> 22);
}

/// One pixel of ``ssdd_yuv_rgb24_row_lines``.
static inline void ssdd_yuv_rgb24_pixel(
    int32_t luma8, int32_t cu, int32_t cv, int32_t yOffset, int32_t yCoeff, uint32_t v2r, uint32_t v2g, uint32_t u2g,
    uint32_t u2b, uint8_t *out) {
    uint32_t luma = (uint32_t)(((luma8 << 9) - yOffset) * yCoeff + (1 << 21));
    out[0] = ssdd_yuv_top8(luma + (uint32_t)cv * v2r);
    out[1] = ssdd_yuv_top8(luma + (uint32_t)cv * v2g + (uint32_t)cu * u2g);
    out[2] = ssdd_yuv_top8(luma + (uint32_t)cu * u2b);
}

/// ``ssdd_yuv_rgb24_row_lines`` in plain C.
__attribute__((target_clones("avx2", "default")))
static void ssdd_yuv_rgb24_row_lines_portable(
    const uint8_t *y, const int16_t *u0, const int16_t *u1, const int16_t *v0, const int16_t *v1, size_t count,
    const ssdd_yuv_coefficients *k, uint8_t *rgb) {
    const int32_t yOffset = k->y_offset, yCoeff = k->y_coeff;
    const uint32_t v2r = (uint32_t)k->v2r, v2g = (uint32_t)k->v2g, u2g = (uint32_t)k->u2g, u2b = (uint32_t)k->u2b;
    if (u1 == NULL || v1 == NULL) {
        for (size_t i = 0; i < count; i++) {
            int32_t cu = ((int32_t)u0[i] - (128 << 7)) * 4, cv = ((int32_t)v0[i] - (128 << 7)) * 4;
            ssdd_yuv_rgb24_pixel(y[i], cu, cv, yOffset, yCoeff, v2r, v2g, u2g, u2b, rgb + 3 * i);
        }
    } else {
        for (size_t i = 0; i < count; i++) {
            int32_t cu = ((int32_t)u0[i] + u1[i] - (128 << 8)) * 2, cv = ((int32_t)v0[i] + v1[i] - (128 << 8)) * 2;
            ssdd_yuv_rgb24_pixel(y[i], cu, cv, yOffset, yCoeff, v2r, v2g, u2g, u2b, rgb + 3 * i);
        }
    }
}

void ssdd_yuv_rgb24_row_lines(
    const uint8_t *y, const int16_t *u0, const int16_t *u1, const int16_t *v0, const int16_t *v1, size_t count,
    const ssdd_yuv_coefficients *k, uint8_t *rgb) {
    size_t done = ssdd_yuv_avx512() ? ssdd_yuv_rgb24_row_lines_avx512(y, u0, u1, v0, v1, count, k, rgb) : 0;
    if (done == count) return;
    const int two = u1 != NULL && v1 != NULL;
    ssdd_yuv_rgb24_row_lines_portable(
        y + done, u0 + done, two ? u1 + done : NULL, v0 + done, two ? v1 + done : NULL, count - done, k,
        rgb + 3 * done);
}
