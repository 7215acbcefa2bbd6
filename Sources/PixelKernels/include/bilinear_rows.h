// Row kernels of the exact bilinear resize of RGB24 pixels to floats (Imaging.BilinearResizer builds the taps; the
// arithmetic is that of its portable path, operation for operation, so the floats are the same bits).
#ifndef SSDD_BILINEAR_ROWS_H
#define SSDD_BILINEAR_ROWS_H

#include <stddef.h>
#include <stdint.h>

/// Sixteen consecutive output values of a horizontal pass: the source bytes they read lie in `[base, base + span)`,
/// and `left[4i]`, `right[4i]` are value i's two taps relative to `base` (the byte permutation that puts each tap in
/// the low byte of a 32-bit lane); `masks` select the window's bytes in its first and second 64. `span` is 0 when the
/// bytes are too far apart for the vector kernel (more than 128); those values are computed one by one.
typedef struct {
    int32_t base, span;
    uint64_t masks[2];
    uint8_t left[64], right[64];
} ssdd_bilinear_chunk;

/// Fills `chunks[k]` for the `count / 16` whole chunks of a horizontal pass whose output value i reads source bytes
/// `left[i]` and `right[i]` (both non-negative).
void ssdd_bilinear_plan(const int32_t *left, const int32_t *right, size_t count, ssdd_bilinear_chunk *chunks);

/// The horizontal pass of one source row: for every output value i < count, `l = line[left[i]]`, `r = line[right[i]]`
/// as floats, mapped by `x·scale[i] + offset[i]` first when `scale` is not NULL, then `l + (r − l)·weight[i]` when
/// `legacy` (TensorFlow) else `l·(1 − weight[i]) + r·weight[i]` (ATen). `chunks` is the plan of `left` and `right`.
/// AVX-512 VBMI: call only where `ssdd_pixel_kernels_avx512_supported()` (PixelKernels.h).
void ssdd_bilinear_horizontal(
    const uint8_t *line, const ssdd_bilinear_chunk *chunks, const int32_t *left, const int32_t *right,
    const float *weight, const float *scale, const float *offset, size_t count, int legacy, float *out);

/// One output row from two horizontally interpolated rows: `t + (b − t)·wy` when `legacy` else `t·(1 − wy) + b·wy`,
/// then `x·scale[i] + offset[i]` when `scale` is not NULL. AVX-512: call only where
/// `ssdd_pixel_kernels_avx512_supported()`.
void ssdd_bilinear_vertical(
    const float *top, const float *bottom, float wy, const float *scale, const float *offset, size_t count, int legacy,
    float *out);

#endif
