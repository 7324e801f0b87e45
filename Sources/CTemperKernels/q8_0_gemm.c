/* See include/temper_kernels.h (temper_q8_0_gemm). Q8_0 weights regrouped 16 rows to a
 * group (q8_0_pack.c) times Q8_0 activations split into scales, values and corrections.
 *
 * The bit contract, the same on every path: for each row and token,
 *     acc = 0; for b = 0 ..< nb in order: acc = acc + (d_x[b] * d_w[b]) * (float)s[b]
 * with s[b] the exact int32 dot product of the block's 32 value pairs (ggml's generic
 * ggml_vec_dot_q8_0_q8_0 rounds the same way). Integer sums are exact in any order, so the
 * SIMD paths may form them however they like; the float steps are one multiply, one multiply
 * and one add per block and row, in block order, with no FMA contraction (kernel_prelude.h).
 * A SIMD lane holds one row (16 rows per 512-bit register), so no path reduces anything
 * horizontally.
 *
 * The weights are stored as unsigned bytes (value + 128) for vpdpbusd (u8 x s8):
 * s = sum((w + 128) * x) + xc, with xc = -128 * sum(x) from temper_q8_0_split. */
#include "kernel_prelude.h"

#define GROUP TEMPER_Q8_0_GROUP_ROWS
#define BLOCK_GROUP_BYTES (GROUP * 34)
#define ALWAYS_INLINE inline __attribute__((always_inline))

static inline int32_t load_i32(const int8_t *p) { int32_t v; memcpy(&v, p, 4); return v; }

static void gemm_portable(const uint8_t *w, size_t rows, size_t nb, const float *xd, const int8_t *xs,
                          size_t tokens, float *out, size_t out_stride) {
    for (size_t r = 0; r < rows; r++) {
        const uint8_t *group = w + (r / GROUP) * nb * BLOCK_GROUP_BYTES;
        size_t l = r % GROUP;
        for (size_t t = 0; t < tokens; t++) {
            float acc = 0;
            for (size_t b = 0; b < nb; b++) {
                const uint8_t *wb = group + b * BLOCK_GROUP_BYTES;
                const int8_t *xb = xs + 32 * (t * nb + b);
                float dw = temper_float_from_f16((uint16_t)(wb[2 * l] | (wb[2 * l + 1] << 8)));
                int32_t s = 0;
                for (size_t j = 0; j < 32; j++)
                    s += (int32_t)(int8_t)(wb[2 * GROUP + 4 * GROUP * (j / 4) + 4 * l + j % 4] ^ 0x80) * (int32_t)xb[j];
                acc = acc + (xd[t * nb + b] * dw) * (float)s;
            }
            out[t * out_stride + r] = acc;
        }
    }
}

#if TEMPER_X86
/* ---------- AVX-512 VNNI: G groups of 16 rows x T tokens per pass ---------- */
#define Q8_512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,f16c")))

/* Rows [0, live) of the G groups at w (live > 16 * (G - 1)) times tokens [0, T). Each
 * 64-byte load of weights serves T tokens; each 4-byte group of activations is broadcast
 * from memory into vpdpbusd and serves G groups. */
Q8_512 static ALWAYS_INLINE void tile512(const uint8_t *w, size_t nb, int G, size_t live, const float *xd,
                                         const int8_t *xs, const int32_t *xc, int T, float *out, size_t out_stride) {
    const size_t gs = nb * BLOCK_GROUP_BYTES;
    __m512 acc[4][4];
    for (int g = 0; g < G; g++)
        for (int t = 0; t < T; t++) acc[g][t] = _mm512_setzero_ps();
    for (size_t b = 0; b < nb; b++) {
        const uint8_t *wb = w + b * BLOCK_GROUP_BYTES;
        __m512i s[4][4];
        for (int t = 0; t < T; t++) {
            __m512i c0 = _mm512_set1_epi32(xc[t * nb + b]);
            for (int g = 0; g < G; g++) s[g][t] = c0;
        }
        for (int c = 0; c < 8; c++) {
            for (int g = 0; g < G; g++) {
                __m512i wv = _mm512_loadu_si512((const void *)(wb + g * gs + 2 * GROUP + 64 * c));
                for (int t = 0; t < T; t++)
                    s[g][t] = _mm512_dpbusd_epi32(s[g][t], wv, _mm512_set1_epi32(load_i32(xs + 32 * (t * nb + b) + 4 * c)));
            }
        }
        for (int g = 0; g < G; g++) {
            __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(wb + g * gs)));
            for (int t = 0; t < T; t++) {
                __m512 scale = _mm512_mul_ps(_mm512_set1_ps(xd[t * nb + b]), dw);
                acc[g][t] = _mm512_add_ps(acc[g][t], _mm512_mul_ps(scale, _mm512_cvtepi32_ps(s[g][t])));
            }
        }
    }
    for (int g = 0; g < G; g++) {
        size_t n = live - (size_t)g * GROUP;
        __mmask16 mask = n >= GROUP ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
        for (int t = 0; t < T; t++) _mm512_mask_storeu_ps(out + t * out_stride + g * GROUP, mask, acc[g][t]);
    }
}

/* The tile shapes, each compiled with its constant G and T. */
#define TILE512(G, T) \
    Q8_512 static void tile512_##G##x##T(const uint8_t *w, size_t nb, size_t live, const float *xd, const int8_t *xs, \
                                         const int32_t *xc, float *out, size_t out_stride) {                        \
        tile512(w, nb, G, live, xd, xs, xc, T, out, out_stride);                                                   \
    }
TILE512(1, 1) TILE512(2, 1) TILE512(1, 2) TILE512(1, 3) TILE512(1, 4)
TILE512(2, 2) TILE512(2, 3) TILE512(2, 4)
#undef TILE512

typedef void (*tile_fn)(const uint8_t *, size_t, size_t, const float *, const int8_t *, const int32_t *, float *, size_t);

Q8_512 static void gemm512(const uint8_t *w, size_t rows, size_t nb, const float *xd, const int8_t *xs, const int32_t *xc,
                           size_t tokens, float *out, size_t out_stride) {
    static const tile_fn one[5] = {0, tile512_1x1, tile512_1x2, tile512_1x3, tile512_1x4};
    static const tile_fn two[5] = {0, tile512_2x1, tile512_2x2, tile512_2x3, tile512_2x4};
    const size_t groups = (rows + GROUP - 1) / GROUP, gs = nb * BLOCK_GROUP_BYTES;
    /* One token (decoding): one group per pass, so the weights stream as one sequential read
     * (measured on one core, 90 MB of weights: 0.66 ns per block, ~50 GB/s, against 0.79 and
     * 0.87 ns with 2 and 4 groups per pass; software prefetching did not help). Several
     * tokens: 2 groups x 4 tokens, the weights of a pass (2 x nb x 544 bytes) staying in cache
     * while every token passes (0.08 ns per block x token on one core). */
    const size_t step = tokens == 1 ? 1 : 2;
    for (size_t g = 0; g < groups; g += step) {
        size_t G = groups - g < step ? groups - g : step;
        const uint8_t *wg = w + g * gs;
        size_t live = rows - g * GROUP;
        if (tokens == 1) {
            tile512_1x1(wg, nb, live, xd, xs, xc, out + g * GROUP, out_stride);
            continue;
        }
        const tile_fn *fns = G == 2 ? two : one;
        for (size_t t = 0; t < tokens; t += 4) {
            size_t T = tokens - t < 4 ? tokens - t : 4;
            fns[T](wg, nb, live, xd + t * nb, xs + 32 * t * nb, xc + t * nb, out + t * out_stride + g * GROUP, out_stride);
        }
    }
}

/* ---------- AVX2 and AVX-VNNI (256-bit): one group (two halves of 8 rows) x 2 tokens ---------- */
#define Q8_TARGET __attribute__((target("avx2,f16c")))
#define Q8_NAME(base) base##_avx2
/* Signed weights back, |w| times x with w's sign: 127*128*2 fits int16, so maddubs never saturates. */
#define Q8_INIT(correction) _mm256_setzero_si256()
#define Q8_PREP(wv, a, u) do { a = _mm256_xor_si256(wv, _mm256_set1_epi8((char)0x80)); u = _mm256_sign_epi8(a, a); } while (0)
#define Q8_ACC(s, a, u, x) s = _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_maddubs_epi16(u, _mm256_sign_epi8(x, a)), _mm256_set1_epi16(1)))
#include "q8_0_gemm256.inc"
#undef Q8_TARGET
#undef Q8_NAME
#undef Q8_INIT
#undef Q8_PREP
#undef Q8_ACC

#define Q8_TARGET __attribute__((target("avx2,f16c,avxvnni")))
#define Q8_NAME(base) base##_vnni
#define Q8_INIT(correction) _mm256_set1_epi32(correction)
#define Q8_PREP(wv, a, u) do { (void)a; u = wv; } while (0)
#define Q8_ACC(s, a, u, x) s = _mm256_dpbusd_avx_epi32(s, u, x)
#include "q8_0_gemm256.inc"
#undef Q8_TARGET
#undef Q8_NAME
#undef Q8_INIT
#undef Q8_PREP
#undef Q8_ACC
#endif

void temper_q8_0_gemm(const uint8_t *w, size_t rows, size_t nb, const float *xd, const int8_t *xs, const int32_t *xc,
                      size_t tokens, float *out, size_t out_stride, int simd) {
    if (rows == 0 || tokens == 0) return;
#if TEMPER_X86
    if (simd >= 3 && temper_cpu_has_avx512vnni()) {
        gemm512(w, rows, nb, xd, xs, xc, tokens, out, out_stride);
        return;
    }
    if (simd >= 2 && temper_cpu_has_avxvnni()) {
        gemm256_vnni(w, rows, nb, xd, xs, xc, tokens, out, out_stride);
        return;
    }
    if (simd >= 1 && temper_cpu_has_avx2_f16c()) {
        gemm256_avx2(w, rows, nb, xd, xs, xc, tokens, out, out_stride);
        return;
    }
#endif
    (void)simd; (void)xc;
    gemm_portable(w, rows, nb, xd, xs, tokens, out, out_stride);
}
