// Kernel-level comparison of the INT8 AVX2 tile (TensorKernelsX86) with a 6x16 fp32 FMA tile of the same layout as the
// engine's TiledGEMMConvolution, on SSDLite-sized 1x1 convolutions (rows = pixels, depth = Cin, cols = Cout).
// Build: clang -O3 -I Sources/TensorKernelsX86/include tools/bench_int8_tile.c Sources/TensorKernelsX86/*.c -lm -o /tmp/bench_int8_tile
// Run:   /tmp/bench_int8_tile   (prints median ns per call of each, interleaved, and the ratio)
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "TensorKernelsX86.h"

__attribute__((target("avx2,fma"))) static void fp32_gemm(
    const float *a, size_t rows, size_t depth, const float *packed, size_t cols, const float *bias, float *c) {
    size_t panels = (cols + 15) / 16;
    for (size_t p = 0; p < panels; p++) {
        const float *w = packed + p * depth * 16;
        for (size_t r = 0; r < rows; r += 6) {
            const float *ar[6];
            for (int i = 0; i < 6; i++) ar[i] = a + (r + i < rows ? r + i : rows - 1) * depth;
            __m256 acc[6][2];
            for (int i = 0; i < 6; i++) {
                acc[i][0] = _mm256_loadu_ps(bias + p * 16);
                acc[i][1] = _mm256_loadu_ps(bias + p * 16 + 8);
            }
            for (size_t k = 0; k < depth; k++) {
                __m256 w0 = _mm256_loadu_ps(w + k * 16), w1 = _mm256_loadu_ps(w + k * 16 + 8);
                for (int i = 0; i < 6; i++) {
                    __m256 b = _mm256_broadcast_ss(ar[i] + k);
                    acc[i][0] = _mm256_fmadd_ps(b, w0, acc[i][0]);
                    acc[i][1] = _mm256_fmadd_ps(b, w1, acc[i][1]);
                }
            }
            for (size_t i = 0; i < 6 && r + i < rows; i++) {
                _mm256_storeu_ps(c + (r + i) * cols + p * 16, _mm256_max_ps(acc[i][0], _mm256_setzero_ps()));
                _mm256_storeu_ps(c + (r + i) * cols + p * 16 + 8, _mm256_max_ps(acc[i][1], _mm256_setzero_ps()));
            }
        }
    }
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *x, const void *y) { return *(const double *)x < *(const double *)y ? -1 : 1; }

int main(void) {
    // (rows, depth, cols): SSDLite expand/project layers at 19x19 and 10x10, and a 38x38 block's expand.
    size_t shapes[][3] = {{361, 96, 576}, {361, 576, 96}, {100, 160, 960}, {100, 960, 160}, {1444, 32, 192}};
    for (int s = 0; s < 5; s++) {
        size_t rows = shapes[s][0], depth = shapes[s][1], cols = shapes[s][2], pad = (depth + 3) / 4 * 4;
        float *x = malloc(rows * depth * 4), *wf = calloc(((cols + 15) / 16) * 16 * depth, 4), *bias = calloc(cols + 16, 4);
        float *c = malloc(rows * cols * 4);
        for (size_t i = 0; i < rows * depth; i++) x[i] = (float)(rand() % 600) / 100;
        for (size_t i = 0; i < cols * depth; i++) wf[i] = (float)(rand() % 200 - 100) / 100;
        int8_t *w8 = malloc(depth * cols);
        for (size_t i = 0; i < depth * cols; i++) w8[i] = (int8_t)(rand() % 255 - 127);
        size_t n = ssdd_int8_packed_count(depth, cols);
        int8_t *pk = malloc(n);
        int16_t *wide = malloc(2 * n);
        int32_t *sums = malloc(4 * cols);
        ssdd_int8_pack_weights(w8, depth, cols, pk, sums);
        ssdd_int8_widen(pk, n, wide);
        float *mult = malloc(4 * cols);
        for (size_t j = 0; j < cols; j++) mult[j] = 1e-3f;
        int16_t *q = malloc(2 * rows * pad);
        ssdd_int8_epilogue e = {sums, mult, bias, 3, 0, 6};
        double tf[41], ti[41];
        for (int it = 0; it < 41; it++) {
            double t0 = now();
            fp32_gemm(x, rows, depth, wf, cols, bias, c);
            double t1 = now();
            // INT8 as the engine runs it: quantize the rows, then the tile.
            for (size_t r = 0; r < rows; r++) ssdd_quantize_row_i16_avx2(x + r * depth, depth, pad, 40.0f, 3, q + r * pad);
            ssdd_int8_gemm_avx2(q, pad, rows, depth, wide, cols, &e, c, cols);
            double t2 = now();
            tf[it] = t1 - t0;
            ti[it] = t2 - t1;
        }
        qsort(tf, 41, sizeof(double), cmp);
        qsort(ti, 41, sizeof(double), cmp);
        printf("rows %4zu depth %3zu cols %3zu: fp32 %8.0f ns  int8(avx2, incl. quantize) %8.0f ns  ratio %.2f\n", rows, depth, cols,
            tf[20], ti[20], ti[20] / tf[20]);
    }
    return 0;
}
