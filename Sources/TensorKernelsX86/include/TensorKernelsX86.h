#pragma once
/// Reduced-precision GEMM tiles for x86 (issue 15): BF16 (`vdpbf16ps`) and INT8 (`vpdpbusd`, and an AVX2 kernel with the
/// same integer arithmetic for CPUs without VNNI), each with a scalar reference of the exact same arithmetic for tests.
///
/// Layout: `A` is row-major `[rows][lda]` (NHWC pixels × channels, as a 1×1 convolution reads its input), and the
/// weights are packed once at load into column panels of 16 output channels (`ssdd_*_pack_weights`). The callers
/// (TensorEngine) check the CPU with `ssdd_x86_cpu_features` before calling a `_avx512bf16`, `_avx512vnni` or `_avx2`
/// function; each of those is compiled for its instruction set by a `target` attribute, so the rest of the target (and
/// the references) stay baseline x86-64 and run everywhere.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Output channels per packed weight panel.
#define SSDD_X86_PANEL 16

/// Asks the CPU to bring the cache line holding `p` into L2 (`prefetcht1`): a hint that never faults.
static inline void ssdd_prefetch_l2(const void *p) { __builtin_prefetch(p, 0, 2); }

/// Sixteen floats, one zmm register (Swift sees `SIMD16<Float>`).
typedef float ssdd_float16 __attribute__((ext_vector_type(16)));

/// `min(max(v, low), high)` lane by lane as one `vmaxps` and one `vminps`, NaN passing through as in
/// `high < x ? high : x` with `x = v < low ? low : v`. Swift's lane loop for the same select is vectorised in xmm pieces
/// with extracts and stack spills once sixteen accumulators are live (the GEMM tile's store).
__attribute__((target("avx512f"), always_inline)) static inline ssdd_float16 ssdd_clamp16(
    ssdd_float16 v, ssdd_float16 low, ssdd_float16 high) {
    ssdd_float16 x = v < low ? low : v;
    return high < x ? high : x;
}

/// Sixteen int32 and sixteen bytes (vector types of ``ssdd_quantize_store16``).
typedef int32_t ssdd_int16v __attribute__((ext_vector_type(16)));
typedef uint8_t ssdd_byte16 __attribute__((ext_vector_type(16)));

/// Sixteen quantized values clamped to 0…255 and stored as bytes at `dst` (the tail of both stores below).
__attribute__((target("avx512f,avx512bw,avx512vl"), always_inline)) static inline void ssdd_store_u8_16(
    ssdd_int16v q, uint8_t *dst) {
    q = q < 0 ? 0 : q;
    q = q > 255 ? 255 : q;
    ssdd_byte16 b = __builtin_convertvector(q, ssdd_byte16);
    __builtin_memcpy(dst, &b, 16);
}

/// Sixteen activations quantized to uint8 and stored at `dst`: the arithmetic of `ssdd_quantize_row_u8_avx512` lane for
/// lane (`x·inverse` clamped to ±512 with a NaN product becoming −512, rounded half to even, plus `zero`, clamped to
/// 0…255), so the same bytes — for kernels that quantize what they compute before storing it (the depthwise output a
/// fused INT8 projection reads).
__attribute__((target("avx512f,avx512bw,avx512vl"), always_inline)) static inline void ssdd_quantize_store16(
    ssdd_float16 v, float inverse, int32_t zero, uint8_t *dst) {
    ssdd_float16 s = v * inverse;
    ssdd_float16 low = -512.0f, high = 512.0f;
    ssdd_float16 x = s > low ? s : low;
    x = x < high ? x : high;
    ssdd_store_u8_16(__builtin_convertvector(__builtin_elementwise_roundeven(x), ssdd_int16v) + zero, dst);
}

/// ``ssdd_quantize_store16`` for values a finite clamp has bounded, `low ≤ v ≤ high` or NaN, where `low·inverse` and
/// `high·inverse` lie within ±2³⁰ and `0 ≤ zero ≤ 255`: the ±512 clamp then changes no byte (a product beyond ±512
/// saturates at 0 or 255 either way, and a NaN product, −512 there, converts to INT32_MIN here: 0 both ways), so it is
/// left out, and the rounding is the conversion's own (round to nearest even, embedded in the instruction) — five
/// operations a vector instead of nine.
__attribute__((target("avx512f,avx512bw,avx512vl"), always_inline)) static inline void ssdd_quantize_store16_bounded(
    ssdd_float16 v, float inverse, int32_t zero, uint8_t *dst) {
    typedef float f16v __attribute__((vector_size(64)));
    typedef int i16v __attribute__((vector_size(64)));
    // _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC.
    i16v r = __builtin_ia32_cvtps2dq512_mask((f16v)(v * inverse), (i16v){0}, (unsigned short)0xFFFF, 8);
    ssdd_store_u8_16((ssdd_int16v)r + zero, dst);
}

/// Eight floats, one ymm register (Swift sees `SIMD8<Float>`).
typedef float ssdd_float8 __attribute__((ext_vector_type(8)));

/// ``ssdd_clamp16`` on eight lanes: one ymm `vmaxps` and one `vminps`.
__attribute__((target("avx"), always_inline)) static inline ssdd_float8 ssdd_clamp8(
    ssdd_float8 v, ssdd_float8 low, ssdd_float8 high) {
    ssdd_float8 x = v < low ? low : v;
    return high < x ? high : x;
}

/// Bits of `ssdd_x86_cpu_features()`.
#define SSDD_X86_AVX2 1
/// AVX-512 F + BW + VL (the OS saves zmm state).
#define SSDD_X86_AVX512 2
#define SSDD_X86_AVX512_BF16 4
#define SSDD_X86_AVX512_VNNI 8

/// The features above this CPU and OS offer (cpuid + xgetbv, via the compiler's `__builtin_cpu_supports`).
int ssdd_x86_cpu_features(void);

// MARK: INT8

/// Bytes of packed int8 weights for `depth × cols` (`cols` output channels): `[⌈cols/16⌉][⌈depth/4⌉][16][4]`.
size_t ssdd_int8_packed_count(size_t depth, size_t cols);

/// Packs `w` (`[cols][depth]`, int8, output-channel-major) into panels for both int8 kernels, zero in the padding, and
/// writes each output channel's weight sum into `sums[cols]` (the zero-point correction).
void ssdd_int8_pack_weights(const int8_t *w, size_t depth, size_t cols, int8_t *packed, int32_t *sums);

/// `q[i] = clamp(round_half_even(x[i] · inverse_scale) + zero, 0, 255)` for one row of `count` values; the `depth`
/// rounded up to 4 (`padded`) is filled with `zero` so the padding adds nothing after the zero-point correction.
void ssdd_quantize_row_u8(const float *x, size_t count, size_t padded, float inverse_scale, int32_t zero, uint8_t *q);

/// ``ssdd_quantize_row_u8`` widened to int16 (values 0…255), the activation format of the AVX2 kernel.
void ssdd_quantize_row_i16(const float *x, size_t count, size_t padded, float inverse_scale, int32_t zero, int16_t *q);

/// ``ssdd_quantize_row_u8`` and ``ssdd_quantize_row_i16`` with AVX2 (same results: `x · inverse_scale` is clamped
/// to ±512 before rounding in all of them, so no value overflows the conversion).
void ssdd_quantize_row_u8_avx2(const float *x, size_t count, size_t padded, float inverse_scale, int32_t zero, uint8_t *q);
void ssdd_quantize_row_i16_avx2(const float *x, size_t count, size_t padded, float inverse_scale, int32_t zero, int16_t *q);

/// ``ssdd_quantize_row_u8`` with AVX-512 F/BW/VL (16 values per step, a masked tail): the same bytes.
void ssdd_quantize_row_u8_avx512(const float *x, size_t count, size_t padded, float inverse_scale, int32_t zero, uint8_t *q);

/// The smallest and largest of `count` (≥ 1) values, with AVX2 (NaN is ignored unless every value is NaN).
void ssdd_min_max_avx2(const float *x, size_t count, float *low, float *high);

/// `count` packed int8 weights widened to int16 (the AVX2 kernel's copy, same layout).
void ssdd_int8_widen(const int8_t *packed, size_t count, int16_t *wide);

/// The INT8 tile's store, shared by all kernels: for output channel `j`,
/// `c = clamp(fmaf((float)(acc − zero · sums[j]), multipliers[j], bias[j]), low, high)` where
/// `multipliers[j] = weight_scale[j] · activation_scale`.
typedef struct {
    const int32_t *sums;
    const float *multipliers;
    const float *bias;
    int32_t zero;
    float low;
    float high;
} ssdd_int8_epilogue;

/// `c[r][j]` for `r < rows`, `j < cols` from u8 `a` (`[rows][lda]`, `lda` ≥ depth rounded up to 4, padding = zero
/// point) and the packed weights, accumulating `Σ a·w` in int32: the scalar reference.
void ssdd_int8_gemm_reference(
    const uint8_t *a, size_t lda, size_t rows, size_t depth, const int8_t *packed, size_t cols,
    const ssdd_int8_epilogue *e, float *c, size_t ldc);
/// The same with `vpdpbusd` (AVX-512 VNNI); bit-identical to the reference.
void ssdd_int8_gemm_avx512vnni(
    const uint8_t *a, size_t lda, size_t rows, size_t depth, const int8_t *packed, size_t cols,
    const ssdd_int8_epilogue *e, float *c, size_t ldc);
/// A convolution window over an NHWC map (``ssdd_int8_im2col``): sizes, strides, dilations and the top and left padding.
typedef struct {
    size_t input_height, input_width, channels, output_width;
    size_t kernel_height, kernel_width, stride_y, stride_x, dilation_y, dilation_x;
    ptrdiff_t pad_top, pad_left;
} ssdd_int8_window;

/// im2col rows of the uint8 NHWC `map` for output pixels `first ..< first + count` (row-major over the output):
/// row `i` (`padded` bytes apart, `padded` ≥ kernel_height · kernel_width · channels) holds, tap by tap in (ky, kx)
/// order, the `channels` bytes under the tap, `zero` where the tap is in the padding and after the last tap.
void ssdd_int8_im2col(
    const uint8_t *map, const ssdd_int8_window *w, size_t first, size_t count, size_t padded, uint8_t zero, uint8_t *rows);
/// The same with AVX-512 F/BW moves; the same bytes, and it reads nothing outside the map.
void ssdd_int8_im2col_avx512(
    const uint8_t *map, const ssdd_int8_window *w, size_t first, size_t count, size_t padded, uint8_t zero, uint8_t *rows);

/// The same with AVX2 `vpmaddwd` on the values widened to int16 (`a` from ``ssdd_quantize_row_i16``, weights from
/// ``ssdd_int8_widen``): exact (`255·128·2` fits int32, no saturation), so bit-identical to the reference.
void ssdd_int8_gemm_avx2(
    const int16_t *a, size_t lda, size_t rows, size_t depth, const int16_t *wide, size_t cols,
    const ssdd_int8_epilogue *e, float *c, size_t ldc);

// MARK: BF16

/// `x` rounded to bfloat16 (nearest, ties to even; NaN stays NaN), as its 16 bits.
uint16_t ssdd_bf16_from_float(float x);

/// 16-bit elements of packed bf16 weights for `depth × cols`: `[⌈cols/16⌉][⌈depth/2⌉][16][2]`.
size_t ssdd_bf16_packed_count(size_t depth, size_t cols);

/// Packs `w` (`[cols][depth]`, float, output-channel-major) rounded to bf16 into panels of channel pairs.
void ssdd_bf16_pack_weights(const float *w, size_t depth, size_t cols, uint16_t *packed);

/// One row of activations rounded to bf16, padded with zeros to `padded` (even) elements.
void ssdd_bf16_convert_row(const float *x, size_t count, size_t padded, uint16_t *out);

/// `rows` rows of `count` floats (`ldx` apart) rounded to bf16 into `out` (`[rows][padded]`, zeros after `count`).
void ssdd_bf16_convert_rows(const float *x, size_t ldx, size_t rows, size_t count, size_t padded, uint16_t *out);
/// The same with `vcvtne2ps2bf16` (AVX-512 BF16): equal to ``ssdd_bf16_convert_rows`` for normal values and zeros
/// (the instruction treats denormal inputs as zero and returns a quiet NaN for a NaN, as the scalar does).
void ssdd_bf16_convert_rows_avx512bf16(
    const float *x, size_t ldx, size_t rows, size_t count, size_t padded, uint16_t *out);

/// `c[r][j] = clamp(bias[j] + Σₖ a[r][k]·w[k][j], low, high)` with bf16 `a` (`[rows][lda]`, `lda` even) and packed
/// weights, accumulating in float32 in `vdpbf16ps`'s order (per pair: odd element, then even): the scalar reference.
void ssdd_bf16_gemm_reference(
    const uint16_t *a, size_t lda, size_t rows, size_t depth, const uint16_t *packed, size_t cols, const float *bias,
    float low, float high, float *c, size_t ldc);
/// The same with `vdpbf16ps` (AVX-512 BF16); equal to the reference for normal (non-denormal) values.
void ssdd_bf16_gemm_avx512bf16(
    const uint16_t *a, size_t lda, size_t rows, size_t depth, const uint16_t *packed, size_t cols, const float *bias,
    float low, float high, float *c, size_t ldc);

/// `vdpbf16ps`'s multiply-adds per second over those of zmm `vfmadd231ps` on this core, timed here (≈ 0.2 ms: the fastest
/// of 7 alternating trials of each); 0 on a CPU without AVX-512 BF16. About 2 where bf16 pays (AMD Zen 4/5), about
/// 0.5 on Intel cores that leave bf16 to AMX (`BF16Throughput.c`).
double ssdd_bf16_multiply_add_ratio(void);

/// GFLOP/s of one core issuing zmm `vfmadd231ps` on twelve independent chains (the fastest of 21 trials, ≈ 0.1 ms), the
/// peak `ssdd bench` compares with; 0 on a CPU without AVX-512.
double ssdd_fma_peak_gflops(void);

/// Operations per second (a multiply and an add per byte product, GOPS) of one core issuing zmm `vpdpbusd` on twelve
/// independent chains (the fastest of 21 trials, ≈ 0.2 ms), the INT8 peak `ssdd bench` compares int8 passes with; 0
/// on a CPU without AVX-512 VNNI.
double ssdd_vnni_peak_gops(void);

#ifdef __cplusplus
}
#endif
