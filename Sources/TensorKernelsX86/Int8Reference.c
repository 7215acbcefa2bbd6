// INT8 packing, quantization and the scalar reference GEMM (baseline x86-64; see TensorKernelsX86.h).
#include <math.h>
#include <string.h>

#include "TensorKernelsX86.h"

size_t ssdd_int8_packed_count(size_t depth, size_t cols) {
    size_t panels = (cols + SSDD_X86_PANEL - 1) / SSDD_X86_PANEL;
    size_t quads = (depth + 3) / 4;
    return panels * quads * SSDD_X86_PANEL * 4;
}

void ssdd_int8_pack_weights(const int8_t *w, size_t depth, size_t cols, int8_t *packed, int32_t *sums) {
    size_t quads = (depth + 3) / 4;
    memset(packed, 0, ssdd_int8_packed_count(depth, cols));
    for (size_t j = 0; j < cols; j++) {
        int8_t *panel = packed + (j / SSDD_X86_PANEL) * quads * SSDD_X86_PANEL * 4;
        int32_t sum = 0;
        for (size_t k = 0; k < depth; k++) {
            int8_t v = w[j * depth + k];
            panel[((k / 4) * SSDD_X86_PANEL + j % SSDD_X86_PANEL) * 4 + k % 4] = v;
            sum += v;
        }
        sums[j] = sum;
    }
}

void ssdd_quantize_row_u8(const float *x, size_t count, size_t padded, float inverse_scale, int32_t zero, uint8_t *q) {
    for (size_t i = 0; i < count; i++) {
        // nearbyintf rounds half to even in the default rounding mode, as the vector conversion does.
        float scaled = fminf(fmaxf(x[i] * inverse_scale, -512.0f), 512.0f);
        float v = nearbyintf(scaled) + (float)zero;
        q[i] = (uint8_t)(v < 0.0f ? 0.0f : (v > 255.0f ? 255.0f : v));
    }
    for (size_t i = count; i < padded; i++) q[i] = (uint8_t)zero;
}

/// The shared store of one output value.
static inline float ssdd_int8_store_value(int32_t acc, size_t j, const ssdd_int8_epilogue *e) {
    float v = fmaf((float)(acc - e->zero * e->sums[j]), e->multipliers[j], e->bias[j]);
    v = v < e->low ? e->low : v;
    return v > e->high ? e->high : v;
}

void ssdd_int8_gemm_reference(
    const uint8_t *a, size_t lda, size_t rows, size_t depth, const int8_t *packed, size_t cols,
    const ssdd_int8_epilogue *e, float *c, size_t ldc) {
    size_t quads = (depth + 3) / 4;
    for (size_t r = 0; r < rows; r++) {
        for (size_t j = 0; j < cols; j++) {
            const int8_t *panel = packed + (j / SSDD_X86_PANEL) * quads * SSDD_X86_PANEL * 4;
            int32_t acc = 0;
            for (size_t k = 0; k < quads * 4; k++) {
                acc += (int32_t)a[r * lda + k] * (int32_t)panel[((k / 4) * SSDD_X86_PANEL + j % SSDD_X86_PANEL) * 4 + k % 4];
            }
            c[r * ldc + j] = ssdd_int8_store_value(acc, j, e);
        }
    }
}

void ssdd_quantize_row_i16(const float *x, size_t count, size_t padded, float inverse_scale, int32_t zero, int16_t *q) {
    for (size_t i = 0; i < count; i++) {
        float scaled = fminf(fmaxf(x[i] * inverse_scale, -512.0f), 512.0f);
        float v = nearbyintf(scaled) + (float)zero;
        q[i] = (int16_t)(v < 0.0f ? 0.0f : (v > 255.0f ? 255.0f : v));
    }
    for (size_t i = count; i < padded; i++) q[i] = (int16_t)zero;
}

void ssdd_int8_widen(const int8_t *packed, size_t count, int16_t *wide) {
    for (size_t i = 0; i < count; i++) wide[i] = packed[i];
}
