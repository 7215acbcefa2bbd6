// Row kernels of the YUV 4:2:0 → RGB24 conversion (see PixelKernels.h). Plain C: the loops are simple enough for the
// compiler to vectorise, and every operation is integer, so the bytes do not depend on how it does.
#include "PixelKernels.h"

void ssdd_yuv_hscale_8to15(
    const uint8_t *src, const int16_t *filter, const int32_t *positions, size_t size, size_t count, int16_t *dst) {
    for (size_t i = 0; i < count; i++) {
        const uint8_t *s = src + positions[i];
        const int16_t *f = filter + i * size;
        int32_t sum = 0;
        for (size_t j = 0; j < size; j++) sum += (int32_t)s[j] * f[j];
        sum >>= 7;
        dst[i] = (int16_t)(sum < 32767 ? sum : 32767);
    }
}

void ssdd_yuv_hscale_8to15_pairs(
    const uint8_t *src, const int16_t *weights, const int32_t *positions, size_t count, int16_t *dst) {
    for (size_t i = 0; i < count; i++) {
        const uint8_t *s = src + positions[i];
        int32_t sum = ((int32_t)s[0] * weights[2 * i] + (int32_t)s[1] * weights[2 * i + 1]) >> 7;
        dst[i] = (int16_t)(sum < 32767 ? sum : 32767);
    }
}

void ssdd_yuv_chroma_one(const int16_t *c0, size_t count, int32_t *out) {
    for (size_t i = 0; i < count; i++) out[i] = ((int32_t)c0[i] - (128 << 7)) * 4;
}

void ssdd_yuv_chroma_mean(const int16_t *c0, const int16_t *c1, size_t count, int32_t *out) {
    for (size_t i = 0; i < count; i++) out[i] = ((int32_t)c0[i] + c1[i] - (128 << 8)) * 2;
}

void ssdd_yuv_chroma_filtered(const int16_t *const *lines, const int16_t *weights, size_t size, size_t count, int32_t *out) {
    for (size_t i = 0; i < count; i++) {
        // Unsigned: the sum wraps as libswscale's int arithmetic does on the machines it runs on.
        uint32_t sum = (1u << 9) - (128u << 19);
        for (size_t j = 0; j < size; j++) sum += (uint32_t)((int32_t)lines[j][i] * weights[j]);
        out[i] = (int32_t)sum >> 10;
    }
}

/// `value` clipped to 0…2³⁰ − 1 (as a signed 32-bit number), then its top 8 of 30 bits.
static inline uint8_t ssdd_yuv_top8(uint32_t value) {
    int32_t s = (int32_t)value;
    s = s < 0 ? 0 : (s > (1 << 30) - 1 ? (1 << 30) - 1 : s);
    return (uint8_t)(s >> 22);
}

// Cloned for AVX2 (eight 32-bit multiplies per instruction; baseline x86-64 has no 32-bit vector multiply), chosen
// once at load time.
__attribute__((target_clones("avx2", "default")))
void ssdd_yuv_rgb24_row(
    const uint8_t *y, const int32_t *u, const int32_t *v, size_t count, const ssdd_yuv_coefficients *k, uint8_t *rgb) {
    const int32_t yOffset = k->y_offset, yCoeff = k->y_coeff;
    const uint32_t v2r = (uint32_t)k->v2r, v2g = (uint32_t)k->v2g, u2g = (uint32_t)k->u2g, u2b = (uint32_t)k->u2b;
    enum { block = 32 };
    uint8_t r[block], g[block], b[block];
    for (size_t start = 0; start < count; start += block) {
        size_t n = count - start < block ? count - start : block;
        for (size_t i = 0; i < n; i++) {
            uint32_t luma = (uint32_t)((((int32_t)y[start + i] << 9) - yOffset) * yCoeff + (1 << 21));
            uint32_t cu = (uint32_t)u[start + i], cv = (uint32_t)v[start + i];
            r[i] = ssdd_yuv_top8(luma + cv * v2r);
            g[i] = ssdd_yuv_top8(luma + cv * v2g + cu * u2g);
            b[i] = ssdd_yuv_top8(luma + cu * u2b);
        }
        uint8_t *out = rgb + 3 * start;
        for (size_t i = 0; i < n; i++) {
            out[3 * i] = r[i];
            out[3 * i + 1] = g[i];
            out[3 * i + 2] = b[i];
        }
    }
}
