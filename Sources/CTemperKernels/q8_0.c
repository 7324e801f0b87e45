/* See include/temper_kernels.h. The formulas follow Sources/TemperFormats/Quantize.swift
 * (q8_0Block) and ggml-cpu/arch/x86/quants.c (ggml_vec_dot_q8_0_q8_0, quantize_row_q8_0);
 * no FMA contraction anywhere so the portable and AVX2 paths round alike. */
#include "temper_kernels.h"
#include <float.h>
#include <string.h>

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

int temper_cpu_has_avx2_f16c(void) {
#if TEMPER_X86
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c");
    }
    return cached;
#else
    return 0;
#endif
}

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

/* int32 sum of the products of 32 int8 pairs in each of 8 blocks, one lane per block.
   Exact for weights in [-128, 127] and activations in [-127, 127] (the quantizer's range). */
TEMPER_AVX2 static inline __m256i block_sums8(const uint8_t *w, const int8_t *xs) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i s[8];
    for (int k = 0; k < 8; k++) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(w + 34 * k + 2));
        __m256i b = _mm256_loadu_si256((const __m256i *)(xs + 32 * k));
        /* |a| * (b with a's sign): maddubs needs an unsigned first operand; 127*127*2 fits int16. */
        __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
        s[k] = _mm256_madd_epi16(p, ones);
    }
    __m256i h01 = _mm256_hadd_epi32(s[0], s[1]), h23 = _mm256_hadd_epi32(s[2], s[3]);
    __m256i h45 = _mm256_hadd_epi32(s[4], s[5]), h67 = _mm256_hadd_epi32(s[6], s[7]);
    __m256i h0123 = _mm256_hadd_epi32(h01, h23), h4567 = _mm256_hadd_epi32(h45, h67);
    return _mm256_add_epi32(_mm256_permute2x128_si256(h0123, h4567, 0x20), _mm256_permute2x128_si256(h0123, h4567, 0x31));
}

/* The exact int32 sum of one block's 32 products. */
TEMPER_AVX2 static inline int32_t block_sum1(const uint8_t *wb, const int8_t *xb) {
    __m256i a = _mm256_loadu_si256((const __m256i *)(wb + 2)), x = _mm256_loadu_si256((const __m256i *)xb);
    __m256i m = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(x, a)), _mm256_set1_epi16(1));
    __m128i q = _mm_add_epi32(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
    q = _mm_add_epi32(q, _mm_shuffle_epi32(q, 0x4e));
    q = _mm_add_epi32(q, _mm_shuffle_epi32(q, 0xb1));
    return _mm_cvtsi128_si32(q);
}

TEMPER_AVX2 static float dot_avx2(const uint8_t *w, const float *xd, const int8_t *xs, size_t nb) {
    __m256 acc = _mm256_setzero_ps();
    size_t b = 0;
    for (; b + 8 <= nb; b += 8) {
        const uint8_t *wb = w + 34 * b;
        __m128i hs = _mm_setr_epi16(load_i16(wb), load_i16(wb + 34), load_i16(wb + 68), load_i16(wb + 102),
                                    load_i16(wb + 136), load_i16(wb + 170), load_i16(wb + 204), load_i16(wb + 238));
        __m256 scale = _mm256_mul_ps(_mm256_loadu_ps(xd + b), _mm256_cvtph_ps(hs));
        __m256 sums = _mm256_cvtepi32_ps(block_sums8(wb, xs + 32 * b));
        acc = _mm256_add_ps(acc, _mm256_mul_ps(scale, sums));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, acc);
    for (; b < nb; b++) {
        const uint8_t *wb = w + 34 * b;
        uint16_t h = (uint16_t)(wb[0] | (wb[1] << 8));
        lanes[b % 8] += (xd[b] * _cvtsh_ss(h)) * (float)block_sum1(wb, xs + 32 * b);
    }
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

/* Four tokens against one weight row: each group of 8 weight blocks is loaded once and
 * multiplied with the four tokens' blocks (prefill). Per token the arithmetic is dot_avx2's,
 * in the same order, so the results have the same bits. */
TEMPER_AVX2 static void dot4_avx2(const uint8_t *w, const float *xd, const int8_t *xs, size_t nb, float *out, size_t out_stride) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    const __m256i ones = _mm256_set1_epi16(1);
    size_t b = 0;
    for (; b + 8 <= nb; b += 8) {
        const uint8_t *wb = w + 34 * b;
        __m128i hs = _mm_setr_epi16(load_i16(wb), load_i16(wb + 34), load_i16(wb + 68), load_i16(wb + 102),
                                    load_i16(wb + 136), load_i16(wb + 170), load_i16(wb + 204), load_i16(wb + 238));
        __m256 wd = _mm256_cvtph_ps(hs);
        __m256i a[8], ua[8];
        for (int k = 0; k < 8; k++) {
            a[k] = _mm256_loadu_si256((const __m256i *)(wb + 34 * k + 2));
            ua[k] = _mm256_sign_epi8(a[k], a[k]);
        }
        for (int t = 0; t < 4; t++) {
            const int8_t *xt = xs + 32 * (t * nb + b);
            __m256i s[8];
            for (int k = 0; k < 8; k++) {
                __m256i x = _mm256_loadu_si256((const __m256i *)(xt + 32 * k));
                s[k] = _mm256_madd_epi16(_mm256_maddubs_epi16(ua[k], _mm256_sign_epi8(x, a[k])), ones);
            }
            __m256i h01 = _mm256_hadd_epi32(s[0], s[1]), h23 = _mm256_hadd_epi32(s[2], s[3]);
            __m256i h45 = _mm256_hadd_epi32(s[4], s[5]), h67 = _mm256_hadd_epi32(s[6], s[7]);
            __m256i h0123 = _mm256_hadd_epi32(h01, h23), h4567 = _mm256_hadd_epi32(h45, h67);
            __m256i sums = _mm256_add_epi32(_mm256_permute2x128_si256(h0123, h4567, 0x20),
                                            _mm256_permute2x128_si256(h0123, h4567, 0x31));
            __m256 scale = _mm256_mul_ps(_mm256_loadu_ps(xd + t * nb + b), wd);
            acc[t] = _mm256_add_ps(acc[t], _mm256_mul_ps(scale, _mm256_cvtepi32_ps(sums)));
        }
    }
    for (int t = 0; t < 4; t++) {
        float lanes[8];
        _mm256_storeu_ps(lanes, acc[t]);
        for (size_t c = b; c < nb; c++) {
            const uint8_t *wb = w + 34 * c;
            uint16_t h = (uint16_t)(wb[0] | (wb[1] << 8));
            lanes[c % 8] += (xd[t * nb + c] * _cvtsh_ss(h)) * (float)block_sum1(wb, xs + 32 * (t * nb + c));
        }
        out[t * out_stride] = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    }
}
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
    if (simd && temper_cpu_has_avx2_f16c()) {
        for (size_t r = 0; r < rows; r++) {
            const uint8_t *row = w + 34 * nb * r;
            size_t t = 0;
            for (; t + 4 <= tokens; t += 4) dot4_avx2(row, xd + t * nb, xs + 32 * nb * t, nb, out + t * out_stride + r, out_stride);
            for (; t < tokens; t++) out[t * out_stride + r] = dot_avx2(row, xd + t * nb, xs + 32 * nb * t, nb);
        }
        return;
    }
#endif
    (void)simd;
    for (size_t r = 0; r < rows; r++) {
        const uint8_t *row = w + 34 * nb * r;
        for (size_t t = 0; t < tokens; t++) out[t * out_stride + r] = dot_portable(row, xd + t * nb, xs + 32 * nb * t, nb);
    }
}
