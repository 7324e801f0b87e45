/* See include/temper_kquant.h. kquant_lanes.h holds the searches once, written on lane
 * vectors; it is instantiated here for baseline x86-64 / other CPUs (4 lanes), AVX2 (16 lanes:
 * two ymm registers per vector) and AVX-512F (32 lanes: two zmm registers, so the serial sums
 * of two register groups overlap; 10-15 % faster than one register per vector here). The prelude turns FMA contraction off, so each lane rounds every product and
 * sum on its own exactly as the scalar Swift code does. */
#include "kernel_prelude.h"
#include "temper_kquant.h"

/* The lane helpers take and return vectors wider than the instruction set's registers (two
 * registers per vector); they are always inlined, so no call ever passes them: the ABI note
 * clang gives for such signatures does not apply. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#endif

#define KQ_W 4
#define KQ_SUFFIX _portable
#define KQ_ATTR
#include "kquant_lanes.h"
#undef KQ_W
#undef KQ_SUFFIX
#undef KQ_ATTR

#if TEMPER_X86
#define KQ_W 16
#define KQ_SUFFIX _avx2
#define KQ_ATTR __attribute__((target("avx2")))
#include "kquant_lanes.h"
#undef KQ_W
#undef KQ_SUFFIX
#undef KQ_ATTR

#define KQ_W 32
#define KQ_SUFFIX _avx512
#define KQ_ATTR __attribute__((target("avx512f")))
#include "kquant_lanes.h"
#undef KQ_W
#undef KQ_SUFFIX
#undef KQ_ATTR
#endif

int temper_kquant_best_simd(void) { return temper_cpu_simd_level(); }


void temper_kquant_qkx2(const float *x, size_t count, int n, int nmax, float rmin, float rdelta, int nstep,
                        int weights_kind, int use_mad, uint8_t *L, float *scales, float *mins, int simd) {
    if (n < 1 || n > 32) return;
    switch (temper_simd_usable(simd)) {
#if TEMPER_X86
    case 2: qkx2_avx512(x, count, n, nmax, rmin, rdelta, nstep, weights_kind, use_mad, L, scales, mins); return;
    case 1: qkx2_avx2(x, count, n, nmax, rmin, rdelta, nstep, weights_kind, use_mad, L, scales, mins); return;
#endif
    default: qkx2_portable(x, count, n, nmax, rmin, rdelta, nstep, weights_kind, use_mad, L, scales, mins);
    }
}

void temper_kquant_qx(const float *x, size_t count, int n, int nmax, int8_t *L, float *scales, int simd) {
    if (n < 1 || n > 32) return;
    switch (temper_simd_usable(simd)) {
#if TEMPER_X86
    case 2: qx_avx512(x, count, n, nmax, L, scales); return;
    case 1: qx_avx2(x, count, n, nmax, L, scales); return;
#endif
    default: qx_portable(x, count, n, nmax, L, scales);
    }
}

void temper_kquant_q3(const float *x, size_t count, int n, int nmax, int8_t *L, float *scales, int simd) {
    if (n < 1 || n > 32) return;
    switch (temper_simd_usable(simd)) {
#if TEMPER_X86
    case 2: q3_avx512(x, count, n, nmax, L, scales); return;
    case 1: q3_avx2(x, count, n, nmax, L, scales); return;
#endif
    default: q3_portable(x, count, n, nmax, L, scales);
    }
}
