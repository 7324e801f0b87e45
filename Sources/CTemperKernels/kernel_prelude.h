/* What every kernel file starts with: no FMA contraction (each path rounds exactly as written,
 * so the SIMD and portable paths can give the same bits), the x86 intrinsics where they exist,
 * and the CPU-feature checks the run-time dispatch reads (cpu_features.c). Internal header. */
#ifndef TEMPER_KERNEL_PRELUDE_H
#define TEMPER_KERNEL_PRELUDE_H
#include "temper_kernels.h"

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#if defined(__x86_64__)
#include <immintrin.h>
#define TEMPER_X86 1
#else
#define TEMPER_X86 0
#endif

#include <string.h>

/* 2 AVX-512F, 1 AVX2 + FMA, 0 neither (checked once): the loop kernels' dispatch. */
int temper_cpu_simd_level(void);

/* The requested path, or the best this CPU has when it has less. */
static inline int temper_simd_usable(int simd) {
    int best = temper_cpu_simd_level();
    return simd < best ? simd : best;
}

/* 1 when this CPU has AVX2, F16C and AVX-VNNI (checked once), else 0. */
int temper_cpu_has_avxvnni(void);
/* 1 when this CPU has AVX-512 F/BW/VL and AVX-512 VNNI (checked once), else 0. */
int temper_cpu_has_avx512vnni(void);

static inline uint32_t temper_bits_of(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float temper_float_of(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* f16 bits -> f32, exact (as HalfPrecision.float(fromF16Bits:) and F16C's vcvtph2ps). */
static inline float temper_float_from_f16(uint16_t h) {
    uint32_t magnitude = (uint32_t)(h & 0x7fff) << 13;
    uint32_t exponent = magnitude & 0x0f800000;
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    if (exponent == 0x0f800000)
        return temper_float_of(sign | 0x7f800000 | (magnitude == 0x0f800000 ? 0 : 0x00400000) | (magnitude & 0x007fffff));
    uint32_t bits = magnitude + 0x38000000;
    if (exponent == 0) bits = temper_bits_of(temper_float_of(bits + 0x00800000) - temper_float_of(0x38800000));
    return temper_float_of(bits | sign);
}
#endif
