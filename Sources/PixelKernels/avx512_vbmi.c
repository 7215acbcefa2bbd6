// The CPU probe of PixelKernels' AVX-512 kernels (see PixelKernels.h).
#include "PixelKernels.h"

int ssdd_pixel_kernels_avx512_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi");
}
