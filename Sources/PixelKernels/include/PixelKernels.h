// Row kernels of the YUV 4:2:0 → RGB24 conversion that reproduces libswscale 5.1 byte for byte
// (MediaIO.YUV420Converter builds the filters and coefficients; see there for the arithmetic's origin).
#ifndef SSDD_PIXEL_KERNELS_H
#define SSDD_PIXEL_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The integer YUV → RGB coefficients libswscale derives from the colour table and the range.
typedef struct {
    int32_t y_offset, y_coeff, v2r, v2g, u2g, u2b;
} ssdd_yuv_coefficients;

/// `dst[i] = min((Σ_j src[positions[i] + j] · filter[i·size + j]) >> 7, 32767)` for `i < count`: 8-bit samples filtered
/// into libswscale's 15-bit intermediate.
void ssdd_yuv_hscale_8to15(
    const uint8_t *src, const int16_t *filter, const int32_t *positions, size_t size, size_t count, int16_t *dst);

/// ``ssdd_yuv_hscale_8to15`` for a filter whose nonzero weights span at most two samples, given as the first of them
/// (`positions[i]`, with `positions[i] + 1` inside the source) and the pair `weights[2i]`, `weights[2i + 1]`: the
/// same sums without the zero products.
void ssdd_yuv_hscale_8to15_pairs(
    const uint8_t *src, const int16_t *weights, const int32_t *positions, size_t count, int16_t *dst);

/// Chroma of one output row from one 15-bit line: `(c0 − 128·2⁷)·4` (libswscale's vertical step when the second
/// line's weight is below one half).
void ssdd_yuv_chroma_one(const int16_t *c0, size_t count, int32_t *out);

/// Chroma of one output row as the mean of two 15-bit lines: `(c0 + c1 − 128·2⁸)·2`.
void ssdd_yuv_chroma_mean(const int16_t *c0, const int16_t *c1, size_t count, int32_t *out);

/// Chroma of one output row through a general vertical filter of `size` taps (12-bit weights):
/// `(2⁹ − 128·2¹⁹ + Σ_j lines[j][i]·weights[j]) >> 10`.
void ssdd_yuv_chroma_filtered(const int16_t *const *lines, const int16_t *weights, size_t size, size_t count, int32_t *out);

/// One RGB24 row from 8-bit luma and the row's chroma (`u`, `v` from the functions above), with libswscale's
/// full-chroma arithmetic: 30-bit fixed point, clipped, the top 8 bits kept.
void ssdd_yuv_rgb24_row(
    const uint8_t *y, const int32_t *u, const int32_t *v, size_t count, const ssdd_yuv_coefficients *k, uint8_t *rgb);

#endif
