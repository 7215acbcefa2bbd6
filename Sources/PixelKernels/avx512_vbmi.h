// What PixelKernels' AVX-512 kernels are compiled for (internal to PixelKernels): the instruction sets
// `ssdd_pixel_kernels_avx512_supported` checks before any of them is called.
#ifndef SSDD_PIXEL_KERNELS_AVX512_VBMI_H
#define SSDD_PIXEL_KERNELS_AVX512_VBMI_H

#define SSDD_AVX512_VBMI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi")))

#endif
