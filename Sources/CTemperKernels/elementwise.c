/* See include/temper_elementwise.h. One scalar definition of each function (mirroring the
 * Swift code exactly), instantiated in loops compiled for three instruction sets; clang
 * vectorizes the loops (objdump shows ymm/zmm code), and since nothing is contracted or
 * reassociated every lane computes what the scalar code computes. The header's "AVX2" path
 * also uses FMA where the scalar code does (fmaf), never elsewhere. */
#include "kernel_prelude.h"
#include "temper_elementwise.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float float_of(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* FastMath.swift `fastExp`, operation for operation (Swift's max(a, b) is b >= a ? b : a,
 * min(a, b) is b < a ? b : a). */
static inline float fast_exp(float x) {
    float lower = (-104.0f >= x) ? -104.0f : x;
    float clamped = (88.72283f < lower) ? 88.72283f : lower;
    float shifted = clamped * 1.44269504088896341f + 12582912.0f;
    float n = shifted - 12582912.0f;
    float r = clamped - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * (r * r) + r + 1.0f;
    int32_t k = (int32_t)(bits_of(shifted) - 0x4B400000u);
    int32_t k1 = k >> 1, k2 = k - k1;
    float s1 = float_of((uint32_t)(k1 + 127) << 23);
    float s2 = float_of((uint32_t)(k2 + 127) << 23);
    float result = y * s1 * s2;
    result = x < -104.0f ? 0.0f : result;
    result = x > 88.72283f ? __builtin_inff() : result;
    return x != x ? x : result;
}

static inline float silu(float x) { return x / (1.0f + fast_exp(-x)); }

static inline float silu_backward(float x, float g) {
    float s = 1.0f / (1.0f + fast_exp(-x));
    return g * s * (1.0f + x * (1.0f - s));
}

#define SILU_LOOPS(suffix, attributes)                                                       \
    attributes static void silu_##suffix(const float *restrict x, float *restrict out, size_t n) { \
        for (size_t i = 0; i < n; i++) out[i] = silu(x[i]);                                   \
    }                                                                                         \
    attributes static void silu_backward_##suffix(const float *restrict x, const float *restrict g, \
                                                  float *restrict out, size_t n) {            \
        for (size_t i = 0; i < n; i++) out[i] = silu_backward(x[i], g[i]);                    \
    }

#define ADAM_LOOP(suffix, attributes)                                                               \
    attributes static void adam_##suffix(float *restrict p, const float *restrict g, float *restrict m,      \
                                         float *restrict v, size_t n, float decay, float w, int lerp_low,    \
                                         float b2, float omb2, float neg_step, float bc2_sqrt, float eps) {  \
        if (lerp_low) {                                                                                    \
            for (size_t i = 0; i < n; i++) {                                                               \
                float mi = fmaf(w, g[i] - m[i], m[i]);                                                     \
                float vi = v[i] * b2 + omb2 * g[i] * g[i];                                                 \
                m[i] = mi, v[i] = vi;                                                                      \
                p[i] = p[i] * decay + neg_step * mi / (sqrtf(vi) / bc2_sqrt + eps);                        \
            }                                                                                              \
        } else {                                                                                           \
            for (size_t i = 0; i < n; i++) {                                                               \
                float mi = fmaf(w - 1.0f, g[i] - m[i], g[i]);                                              \
                float vi = v[i] * b2 + omb2 * g[i] * g[i];                                                 \
                m[i] = mi, v[i] = vi;                                                                      \
                p[i] = p[i] * decay + neg_step * mi / (sqrtf(vi) / bc2_sqrt + eps);                        \
            }                                                                                              \
        }                                                                                                  \
    }

SILU_LOOPS(portable, )
ADAM_LOOP(portable, )
#if TEMPER_X86
SILU_LOOPS(avx2, __attribute__((target("avx2,fma"))))
SILU_LOOPS(avx512, __attribute__((target("avx512f"))))
ADAM_LOOP(avx2, __attribute__((target("avx2,fma"))))
ADAM_LOOP(avx512, __attribute__((target("avx512f"))))
#endif

int temper_elementwise_best_simd(void) { return temper_cpu_simd_level(); }


void temper_silu_f32(const float *x, float *out, size_t n, int simd) {
    switch (temper_simd_usable(simd)) {
#if TEMPER_X86
    case 2: silu_avx512(x, out, n); return;
    case 1: silu_avx2(x, out, n); return;
#endif
    default: silu_portable(x, out, n);
    }
}

void temper_silu_backward_f32(const float *x, const float *g, float *out, size_t n, int simd) {
    switch (temper_simd_usable(simd)) {
#if TEMPER_X86
    case 2: silu_backward_avx512(x, g, out, n); return;
    case 1: silu_backward_avx2(x, g, out, n); return;
#endif
    default: silu_backward_portable(x, g, out, n);
    }
}

void temper_adam_update_f32(float *p, const float *g, float *m, float *v, size_t n, float decay, float w,
                            int lerp_low, float b2, float one_minus_b2, float neg_step, float bc2_sqrt,
                            float eps, int simd) {
    switch (temper_simd_usable(simd)) {
#if TEMPER_X86
    case 2: adam_avx512(p, g, m, v, n, decay, w, lerp_low, b2, one_minus_b2, neg_step, bc2_sqrt, eps); return;
    case 1: adam_avx2(p, g, m, v, n, decay, w, lerp_low, b2, one_minus_b2, neg_step, bc2_sqrt, eps); return;
#endif
    default: adam_portable(p, g, m, v, n, decay, w, lerp_low, b2, one_minus_b2, neg_step, bc2_sqrt, eps);
    }
}
