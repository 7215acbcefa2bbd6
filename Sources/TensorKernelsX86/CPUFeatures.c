// CPU feature detection for the reduced-precision kernels (see TensorKernelsX86.h).
#include "TensorKernelsX86.h"

int ssdd_x86_cpu_features(void) {
#if defined(__x86_64__)
    // __builtin_cpu_supports checks both cpuid and XCR0 (the OS saving ymm/zmm state), so a feature the hypervisor or
    // kernel hides is reported absent.
    __builtin_cpu_init();
    int features = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) features |= SSDD_X86_AVX2;
    int avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    if (avx512) {
        features |= SSDD_X86_AVX512;
        if (__builtin_cpu_supports("avx512bf16")) features |= SSDD_X86_AVX512_BF16;
        if (__builtin_cpu_supports("avx512vnni")) features |= SSDD_X86_AVX512_VNNI;
    }
    return features;
#else
    return 0;
#endif
}
