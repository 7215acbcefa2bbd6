// The AVX-512 forms of ssdd_yuv_rgb24_row_lines and of ssdd_yuv_hscale_8to15_double's inner loop (internal to
// PixelKernels; not part of the module's interface), for CPUs where `ssdd_pixel_kernels_avx512_supported()`.
#ifndef SSDD_PLANAR_YUV_RGB24_AVX512_H
#define SSDD_PLANAR_YUV_RGB24_AVX512_H

#include <stddef.h>
#include <stdint.h>

#include "PixelKernels.h"

/// ``ssdd_yuv_rgb24_row_lines`` for the leading whole groups of 16 pixels; returns how many pixels it wrote.
size_t ssdd_yuv_rgb24_row_lines_avx512(
    const uint8_t *y, const int16_t *u0, const int16_t *u1, const int16_t *v0, const int16_t *v1, size_t count,
    const ssdd_yuv_coefficients *k, uint8_t *rgb);

/// The inner loop of ``ssdd_yuv_hscale_8to15_double`` for the leading whole groups of 16 sample pairs: outputs `2k + 1`
/// and `2k + 2` for `k < ` the returned count (a multiple of 16, at most `pairs`; 0 when a weight is negative).
size_t ssdd_yuv_hscale_8to15_double_avx512(const uint8_t *src, size_t pairs, int16_t a, int16_t b, int16_t *dst);

#endif
