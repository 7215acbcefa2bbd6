// BF16 rounding, packing and the scalar reference GEMM (baseline x86-64; see TensorKernelsX86.h).
#include <string.h>

#include "TensorKernelsX86.h"

uint16_t ssdd_bf16_from_float(float x) {
    uint32_t bits;
    memcpy(&bits, &x, 4);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x0040u);  // quiet NaN
    bits += 0x7FFFu + ((bits >> 16) & 1u);  // round to nearest, ties to even
    return (uint16_t)(bits >> 16);
}

static inline float ssdd_bf16_to_float(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float x;
    memcpy(&x, &bits, 4);
    return x;
}

size_t ssdd_bf16_packed_count(size_t depth, size_t cols) {
    size_t panels = (cols + SSDD_X86_PANEL - 1) / SSDD_X86_PANEL;
    return panels * ((depth + 1) / 2) * SSDD_X86_PANEL * 2;
}

void ssdd_bf16_pack_weights(const float *w, size_t depth, size_t cols, uint16_t *packed) {
    size_t pairs = (depth + 1) / 2;
    memset(packed, 0, ssdd_bf16_packed_count(depth, cols) * sizeof(uint16_t));
    for (size_t j = 0; j < cols; j++) {
        uint16_t *panel = packed + (j / SSDD_X86_PANEL) * pairs * SSDD_X86_PANEL * 2;
        for (size_t k = 0; k < depth; k++) {
            panel[((k / 2) * SSDD_X86_PANEL + j % SSDD_X86_PANEL) * 2 + k % 2] = ssdd_bf16_from_float(w[j * depth + k]);
        }
    }
}

void ssdd_bf16_convert_row(const float *x, size_t count, size_t padded, uint16_t *out) {
    for (size_t i = 0; i < count; i++) out[i] = ssdd_bf16_from_float(x[i]);
    for (size_t i = count; i < padded; i++) out[i] = 0;
}

void ssdd_bf16_gemm_reference(
    const uint16_t *a, size_t lda, size_t rows, size_t depth, const uint16_t *packed, size_t cols, const float *bias,
    float low, float high, float *c, size_t ldc) {
    size_t pairs = (depth + 1) / 2;
    for (size_t r = 0; r < rows; r++) {
        for (size_t j = 0; j < cols; j++) {
            const uint16_t *panel = packed + (j / SSDD_X86_PANEL) * pairs * SSDD_X86_PANEL * 2;
            float acc = 0.0f;
            for (size_t q = 0; q < pairs; q++) {
                const uint16_t *w = panel + (q * SSDD_X86_PANEL + j % SSDD_X86_PANEL) * 2;
                // vdpbf16ps: the odd element's product first, then the even one's; bf16·bf16 is exact in float32, so
                // each step rounds once, like the instruction.
                acc += ssdd_bf16_to_float(a[r * lda + 2 * q + 1]) * ssdd_bf16_to_float(w[1]);
                acc += ssdd_bf16_to_float(a[r * lda + 2 * q]) * ssdd_bf16_to_float(w[0]);
            }
            float v = acc + bias[j];
            v = v < low ? low : v;
            c[r * ldc + j] = v > high ? high : v;
        }
    }
}

void ssdd_bf16_convert_rows(const float *x, size_t ldx, size_t rows, size_t count, size_t padded, uint16_t *out) {
    for (size_t r = 0; r < rows; r++) ssdd_bf16_convert_row(x + r * ldx, count, padded, out + r * padded);
}
