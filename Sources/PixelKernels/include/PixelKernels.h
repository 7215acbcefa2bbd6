// Pixel row kernels in C: the planar YUV (4:2:0, 4:2:2, 4:4:4) → RGB24 conversion that reproduces libswscale 5.1 byte
// for byte (MediaIO.PlanarYUVConverter builds the filters and coefficients; see there for the arithmetic's origin), and
// the rows of the exact bilinear resize (bilinear_rows.h).
#ifndef SSDD_PIXEL_KERNELS_H
#define SSDD_PIXEL_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "bilinear_rows.h"

/// Whether this CPU runs PixelKernels' AVX-512 kernels (AVX-512 F, BW, VL and VBMI): the exact resize's rows
/// (bilinear_rows.h) must not be called where it does not; the YUV kernels below ask it themselves.
int ssdd_pixel_kernels_avx512_supported(void);

/// The integer YUV → RGB coefficients libswscale derives from the colour table and the range.
typedef struct {
    int32_t y_offset, y_coeff, v2r, v2g, u2g, u2b;
} ssdd_yuv_coefficients;

/// `dst[i] = min((Σ_j src[positions[i] + j] · filter[i·size + j]) >> 7, 32767)` for `i < count`: 8-bit samples filtered
/// into libswscale's 15-bit intermediate. Samples under a zero weight are not read (they may lie past the row).
void ssdd_yuv_hscale_8to15(
    const uint8_t *src, const int16_t *filter, const int32_t *positions, size_t size, size_t count, int16_t *dst);

/// ``ssdd_yuv_hscale_8to15`` for a filter whose nonzero weights span at most two samples, given as the first of them
/// (`positions[i]`, with `positions[i] + 1` inside the source) and the pair `weights[2i]`, `weights[2i + 1]`: the
/// same sums without the zero products.
void ssdd_yuv_hscale_8to15_pairs(
    const uint8_t *src, const int16_t *weights, const int32_t *positions, size_t count, int16_t *dst);

/// ``ssdd_yuv_hscale_8to15_pairs`` for the 2× enlargement libswscale builds for an even width: output 0 and output
/// `count − 1` from their own pairs (`first`, `last`: position and two weights each), and between them, for each
/// input sample `k`, outputs `2k + 1` and `2k + 2` from samples `k`, `k + 1` with weights (`a`, `b`) and (`b`, `a`).
void ssdd_yuv_hscale_8to15_double(
    const uint8_t *src, size_t count, const int32_t first[3], const int32_t last[3], int16_t a, int16_t b, int16_t *dst);

/// One RGB24 row straight from the 15-bit chroma lines: from `u0`, `v0` alone when `u1` and `v1` are NULL (libswscale's
/// vertical step when the second line's weight is below one half), else from the mean of the two lines — the same bytes
/// as libswscale's `yuv2packed1` full-chroma writer: chroma `(u0 − 128·2⁷)·4` or `(u0 + u1 − 128·2⁸)·2`, luma
/// `y·2⁹`, 30-bit fixed point, clipped, the top 8 bits kept.
void ssdd_yuv_rgb24_row_lines(
    const uint8_t *y, const int16_t *u0, const int16_t *u1, const int16_t *v0, const int16_t *v1, size_t count,
    const ssdd_yuv_coefficients *k, uint8_t *rgb);

#endif
