/* See include/temper_kernels.h (temper_f32_gemv). Matrix-vector products for decoding: one
 * pass over each weight row per call, the way ggml-cpu's vec.cpp `ggml_vec_dot_f32` streams
 * f32 rows (32 lanes of fused multiply-adds, reduced at the end). The AVX2 path and the
 * portable path (C99 `fmaf`, exact) follow the same lane assignment and reduction order,
 * so they give the same bits. */
#include "kernel_prelude.h"
#include <math.h>

/* The fixed reduction of 32 lanes: v[j] = (l[j] + l[j + 8]) + (l[j + 16] + l[j + 24]),
 * s[j] = v[j] + v[j + 4], then (s0 + s2) + (s1 + s3). */
static inline float reduce32(const float *l) {
    float v[8], s[4];
    for (int j = 0; j < 8; j++) v[j] = (l[j] + l[j + 8]) + (l[j + 16] + l[j + 24]);
    for (int j = 0; j < 4; j++) s[j] = v[j] + v[j + 4];
    return (s[0] + s[2]) + (s[1] + s[3]);
}

static float dot_portable(const float *w, const float *x, size_t n) {
    float lanes[32] = {0};
    size_t k = 0;
    for (; k + 32 <= n; k += 32)
        for (int j = 0; j < 32; j++) lanes[j] = fmaf(w[k + j], x[k + j], lanes[j]);
    float r = reduce32(lanes);
    for (; k < n; k++) r = fmaf(w[k], x[k], r);
    return r;
}

#if TEMPER_X86
#define TEMPER_AVX2_FMA __attribute__((target("avx2,fma")))

/* One row at a time with 4 independent FMA chains: a single sequential stream per core
 * reads at close to the core's memory bandwidth (measured here: ~35 GB/s, against ~20 GB/s
 * for four rows interleaved). */
TEMPER_AVX2_FMA static float dot_avx2(const float *w, const float *x, size_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    size_t k = 0;
    for (; k + 32 <= n; k += 32) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + k), _mm256_loadu_ps(x + k), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + k + 8), _mm256_loadu_ps(x + k + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + k + 16), _mm256_loadu_ps(x + k + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + k + 24), _mm256_loadu_ps(x + k + 24), a3);
    }
    __m256 v = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));              /* s0 + s2, s1 + s3 */
    float r = _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
    for (; k < n; k++) r = fmaf(w[k], x[k], r);
    return r;
}

TEMPER_AVX2_FMA static void gemv_avx2(const float *w, size_t rows, size_t cols, size_t ldw,
                                      const float *x, size_t tokens, size_t ldx, float *y, size_t ldy, int acc) {
    for (size_t r = 0; r < rows; r++)
        for (size_t t = 0; t < tokens; t++) {
            float d = dot_avx2(w + r * ldw, x + t * ldx, cols);
            y[t * ldy + r] = acc ? y[t * ldy + r] + d : d;
        }
}
#endif

#if TEMPER_X86
TEMPER_AVX2_FMA static void weighted_rows_avx2(const float *p, size_t n, const float *v, size_t ldv, size_t d, float *out) {
    size_t c = 0;
    for (; c + 32 <= d; c += 32) {
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (size_t j = 0; j < n; j++) {
            const float *row = v + j * ldv + c;
            __m256 pj = _mm256_set1_ps(p[j]);
            a0 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(row), a0);
            a1 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(row + 8), a1);
            a2 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(row + 16), a2);
            a3 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(row + 24), a3);
        }
        _mm256_storeu_ps(out + c, a0); _mm256_storeu_ps(out + c + 8, a1);
        _mm256_storeu_ps(out + c + 16, a2); _mm256_storeu_ps(out + c + 24, a3);
    }
    for (; c < d; c++) {
        float a = 0;
        for (size_t j = 0; j < n; j++) a = fmaf(p[j], v[j * ldv + c], a);
        out[c] = a;
    }
}
#endif

void temper_f32_weighted_rows(const float *p, size_t n, const float *v, size_t ldv, size_t d, float *out, int simd) {
#if TEMPER_X86
    if (simd && temper_cpu_has_avx2_fma()) {
        weighted_rows_avx2(p, n, v, ldv, d, out);
        return;
    }
#endif
    (void)simd;
    for (size_t c = 0; c < d; c++) {
        float a = 0;
        for (size_t j = 0; j < n; j++) a = fmaf(p[j], v[j * ldv + c], a);
        out[c] = a;
    }
}

void temper_f32_gemv(const float *w, size_t rows, size_t cols, size_t ldw,
                     const float *x, size_t tokens, size_t ldx, float *y, size_t ldy, int accumulate, int simd) {
#if TEMPER_X86
    if (simd && temper_cpu_has_avx2_fma()) {
        gemv_avx2(w, rows, cols, ldw, x, tokens, ldx, y, ldy, accumulate);
        return;
    }
#endif
    (void)simd;
    for (size_t r = 0; r < rows; r++)
        for (size_t t = 0; t < tokens; t++) {
            float d = dot_portable(w + r * ldw, x + t * ldx, cols);
            y[t * ldy + r] = accumulate ? y[t * ldy + r] + d : d;
        }
}
