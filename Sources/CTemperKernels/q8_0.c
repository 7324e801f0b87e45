/* See include/temper_kernels.h. The formulas follow Sources/TemperFormats/Quantize.swift
 * (q8_0Block) and ggml-cpu/arch/x86/quants.c (ggml_vec_dot_q8_0_q8_0, quantize_row_q8_0);
 * no FMA contraction anywhere so the portable and AVX2 paths round alike. */
#include "kernel_prelude.h"
#include <float.h>
#include <string.h>

/* ---------- portable helpers ---------- */

static inline uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float float_of(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline int16_t load_i16(const uint8_t *p) { int16_t v; memcpy(&v, p, 2); return v; }

/* f16 bits -> f32, exact (as HalfPrecision.float(fromF16Bits:)). */
static inline float float_from_f16(uint16_t h) {
    uint32_t magnitude = (uint32_t)(h & 0x7fff) << 13;
    uint32_t exponent = magnitude & 0x0f800000;
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    if (exponent == 0x0f800000) return float_of(sign | 0x7f800000 | (magnitude == 0x0f800000 ? 0 : 0x00400000) | (magnitude & 0x007fffff));
    uint32_t bits = magnitude + 0x38000000;
    if (exponent == 0) bits = bits_of(float_of(bits + 0x00800000) - float_of(0x38800000));
    return float_of(bits | sign);
}

/* ---------- AVX2 + F16C ---------- */
#if TEMPER_X86
#define TEMPER_AVX2 __attribute__((target("avx2,f16c")))

TEMPER_AVX2 static size_t q8_0_quantize_avx2(const float *x, uint8_t *out, size_t blocks) {
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    const __m256 signmask = _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000));
    const __m256 half = _mm256_set1_ps(0.5f), zero = _mm256_setzero_ps();
    const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (size_t b = 0; b < blocks; b++, x += 32, out += 34) {
        __m256 v[4];
        __m256i m = _mm256_setzero_si256();
        __m256 probe = zero;
        for (int k = 0; k < 4; k++) {
            v[k] = _mm256_loadu_ps(x + 8 * k);
            m = _mm256_max_epu32(m, _mm256_castps_si256(_mm256_and_ps(v[k], absmask)));
            probe = _mm256_add_ps(probe, _mm256_mul_ps(v[k], zero));
        }
        __m128i m4 = _mm_max_epu32(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
        m4 = _mm_max_epu32(m4, _mm_shuffle_epi32(m4, 0x4e));
        m4 = _mm_max_epu32(m4, _mm_shuffle_epi32(m4, 0xb1));
        float amax = float_of((uint32_t)_mm_cvtsi128_si32(m4));
        float d = amax / 127.0f;
        /* probe is NaN exactly when some x is NaN or infinite; any lane order gives that. */
        if (_mm256_movemask_ps(_mm256_cmp_ps(probe, zero, _CMP_NEQ_UQ)) != 0 || !(amax == 0 || d >= FLT_MIN)) return b;
        float id = d == 0 ? 0.0f : 1.0f / d;
        uint16_t h = (uint16_t)_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
        out[0] = (uint8_t)h; out[1] = (uint8_t)(h >> 8);
        const __m256 vid = _mm256_set1_ps(id);
        __m256i q[4];
        for (int k = 0; k < 4; k++) {
            __m256 s = _mm256_mul_ps(v[k], vid);
            __m256 a = _mm256_and_ps(s, absmask);
            __m256 n = _mm256_floor_ps(_mm256_add_ps(a, half));
            n = _mm256_and_ps(n, _mm256_cmp_ps(a, half, _CMP_GE_OQ));      /* a < 0.5 -> 0 */
            n = _mm256_or_ps(n, _mm256_and_ps(s, signmask));                /* sign of s back */
            q[k] = _mm256_cvttps_epi32(n);
        }
        __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
        _mm256_storeu_si256((__m256i *)(out + 2), _mm256_permutevar8x32_epi32(p, perm));
    }
    return blocks;
}

#define Q8_TARGET TEMPER_AVX2
#define Q8_NAME(base) base##_avx2
/* 127*128*2 fits int16, so maddubs never saturates here. */
#define Q8_PRODUCT(u, s) _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1))
#include "q8_0_dot.inc"
#undef Q8_TARGET
#undef Q8_NAME
#undef Q8_PRODUCT

#define Q8_TARGET __attribute__((target("avx2,f16c,avxvnni")))
#define Q8_NAME(base) base##_vnni
#define Q8_PRODUCT(u, s) _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), u, s)
#include "q8_0_dot.inc"
#undef Q8_TARGET
#undef Q8_NAME
#undef Q8_PRODUCT

#endif

static float dot_portable(const uint8_t *w, const float *xd, const int8_t *xs, size_t nb) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (size_t b = 0; b < nb; b++) {
        const uint8_t *wb = w + 34 * b;
        const int8_t *xb = xs + 32 * b;
        int32_t s = 0;
        for (int j = 0; j < 32; j++) s += (int32_t)(int8_t)wb[2 + j] * (int32_t)xb[j];
        lanes[b % 8] += (xd[b] * float_from_f16((uint16_t)(wb[0] | (wb[1] << 8)))) * (float)s;
    }
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

size_t temper_q8_0_quantize_avx2(const float *x, uint8_t *out, size_t blocks) {
#if TEMPER_X86
    if (temper_cpu_has_avx2_f16c()) return q8_0_quantize_avx2(x, out, blocks);
#endif
    (void)x; (void)out; (void)blocks;
    return 0;
}

void temper_q8_0_gemm(const uint8_t *w, size_t rows, size_t nb,
                      const float *xd, const int8_t *xs, size_t tokens,
                      float *out, size_t out_stride, int simd) {
#if TEMPER_X86
    if (simd >= 2 && temper_cpu_has_avxvnni()) {
        gemm_vnni(w, rows, nb, xd, xs, tokens, out, out_stride);
        return;
    }
    if (simd >= 1 && temper_cpu_has_avx2_f16c()) {
        gemm_avx2(w, rows, nb, xd, xs, tokens, out, out_stride);
        return;
    }
#endif
    (void)simd;
    for (size_t r = 0; r < rows; r++) {
        const uint8_t *row = w + 34 * nb * r;
        for (size_t t = 0; t < tokens; t++) out[t * out_stride + r] = dot_portable(row, xd + t * nb, xs + 32 * nb * t, nb);
    }
}
