// im2col rows of a uint8 NHWC map for the INT8 tiles (see TensorKernelsX86.h): the portable version copies with
// `memcpy`, the AVX-512 one with 64-byte moves and one masked move for the rest of each span (the stem's spans are 9
// bytes: a `memcpy` call each cost more than the multiply-adds they feed).
#include <immintrin.h>
#include <string.h>

#include "TensorKernelsX86.h"

#define SSDD_AVX512BW __attribute__((target("avx512f,avx512bw")))

/// The walk shared by both versions: for each output pixel and kernel row, one span of `kernel_width · channels` bytes
/// when the whole row of taps is inside the map and undilated, else tap by tap; padding taps and the row's tail to
/// `padded` are `zero`. `COPY(dst, src, n)` and `FILL(dst, n)` do the moves.
#define SSDD_IM2COL_WALK(COPY, FILL)                                                                                   \
    const size_t c = w->channels, kw = w->kernel_width, depth = w->kernel_height * kw * c;                         \
    for (size_t i = 0; i < count; i++) {                                                                               \
        const size_t p = first + i, oy = p / w->output_width, ox = p - oy * w->output_width;                           \
        uint8_t *dst = rows + i * padded;                                                                              \
        const ptrdiff_t ix0 = (ptrdiff_t)(ox * w->stride_x) - w->pad_left;                                             \
        for (size_t ky = 0; ky < w->kernel_height; ky++) {                                                             \
            const ptrdiff_t iy = (ptrdiff_t)(oy * w->stride_y + ky * w->dilation_y) - w->pad_top;                      \
            if (iy < 0 || iy >= (ptrdiff_t)w->input_height) {                                                          \
                FILL(dst, kw * c);                                                                                     \
                dst += kw * c;                                                                                         \
                continue;                                                                                              \
            }                                                                                                          \
            const uint8_t *line = map + (size_t)iy * w->input_width * c;                                               \
            if (w->dilation_x == 1 && ix0 >= 0 && ix0 + (ptrdiff_t)kw <= (ptrdiff_t)w->input_width) {                  \
                COPY(dst, line + (size_t)ix0 * c, kw * c);                                                             \
                dst += kw * c;                                                                                         \
                continue;                                                                                              \
            }                                                                                                          \
            for (size_t kx = 0; kx < kw; kx++) {                                                                       \
                const ptrdiff_t ix = ix0 + (ptrdiff_t)(kx * w->dilation_x);                                           \
                if (ix >= 0 && ix < (ptrdiff_t)w->input_width) {                                                       \
                    COPY(dst, line + (size_t)ix * c, c);                                                               \
                } else {                                                                                               \
                    FILL(dst, c);                                                                                      \
                }                                                                                                      \
                dst += c;                                                                                              \
            }                                                                                                          \
        }                                                                                                              \
        FILL(rows + i * padded + depth, padded - depth);                                                               \
    }

void ssdd_int8_im2col(
    const uint8_t *map, const ssdd_int8_window *w, size_t first, size_t count, size_t padded, uint8_t zero, uint8_t *rows) {
#define SSDD_COPY(d, s, n) memcpy((d), (s), (n))
#define SSDD_FILL(d, n) memset((d), zero, (n))
    SSDD_IM2COL_WALK(SSDD_COPY, SSDD_FILL)
#undef SSDD_COPY
#undef SSDD_FILL
}

SSDD_AVX512BW static inline void ssdd_copy_bytes(uint8_t *dst, const uint8_t *src, size_t n) {
    for (; n >= 64; n -= 64, src += 64, dst += 64) _mm512_storeu_si512(dst, _mm512_loadu_si512(src));
    // Masked-off bytes are neither read nor written (no fault past the map's end).
    const __mmask64 m = (__mmask64)((1ull << n) - 1);  // n < 64 here
    _mm512_mask_storeu_epi8(dst, m, _mm512_maskz_loadu_epi8(m, src));
}

SSDD_AVX512BW static inline void ssdd_fill_bytes(uint8_t *dst, __m512i value, size_t n) {
    for (; n >= 64; n -= 64, dst += 64) _mm512_storeu_si512(dst, value);
    _mm512_mask_storeu_epi8(dst, (__mmask64)((1ull << n) - 1), value);
}

SSDD_AVX512BW void ssdd_int8_im2col_avx512(
    const uint8_t *map, const ssdd_int8_window *w, size_t first, size_t count, size_t padded, uint8_t zero, uint8_t *rows) {
    const __m512i z = _mm512_set1_epi8((char)zero);
#define SSDD_COPY(d, s, n) ssdd_copy_bytes((d), (s), (n))
#define SSDD_FILL(d, n) ssdd_fill_bytes((d), z, (n))
    SSDD_IM2COL_WALK(SSDD_COPY, SSDD_FILL)
#undef SSDD_COPY
#undef SSDD_FILL
}
