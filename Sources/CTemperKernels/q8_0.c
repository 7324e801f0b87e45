/* See include/temper_kernels.h: the AVX2/F16C Q8_0 quantizer. The formulas follow
 * Sources/TemperFormats/Quantize.swift (q8_0Block) and ggml-cpu/arch/x86/quants.c
 * (quantize_row_q8_0); no FMA contraction so it rounds as the Swift scalar code. The Q8_0 x
 * Q8_0 products are in q8_0_gemm.c. */
#include "kernel_prelude.h"
#include <float.h>

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
        float amax = temper_float_of((uint32_t)_mm_cvtsi128_si32(m4));
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

#endif

size_t temper_q8_0_quantize_avx2(const float *x, uint8_t *out, size_t blocks) {
#if TEMPER_X86
    if (temper_cpu_has_avx2_f16c()) return q8_0_quantize_avx2(x, out, blocks);
#endif
    (void)x; (void)out; (void)blocks;
    return 0;
}
