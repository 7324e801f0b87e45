/* SIMD kernels Temper dispatches to at run time (AVX2 + F16C / FMA on x86-64), each with a portable
 * C path that gives the same bits: the Q8_0 quantizer (bit-identical with the Swift scalar
 * code in Sources/TemperFormats/Quantize.swift, i.e. with gguf-py and ggml's reference) and
 * the Q8_0 x Q8_0 dot products of the int8 inference path (Sources/TemperModels/Q8Linear.swift),
 * after ggml-cpu `ggml_vec_dot_q8_0_q8_0`: int32 sums per 32-value block, scaled by both
 * block scales, accumulated in f32 in block order. */
#ifndef TEMPER_KERNELS_H
#define TEMPER_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/* 1 when this CPU has AVX2 and F16C (checked once), else 0. */
int temper_cpu_has_avx2_f16c(void);

/* Quantizes blocks [0, blocks) of 32 floats each into 34-byte Q8_0 blocks (f16 scale + 32 int8)
 * with AVX2/F16C, stopping before the first block that needs the exact scalar path (a NaN or
 * infinity in it, or a nonzero scale below FLT_MIN). Returns how many blocks were written: 0
 * on CPUs without AVX2/F16C, where the Swift code (the portable path) does all of them. */
size_t temper_q8_0_quantize_avx2(const float *x, uint8_t *out, size_t blocks);

/* Q8_0 x Q8_0 products (Q8Linear.swift), q8_0_pack.c and q8_0_gemm.c. Weights are regrouped
 * once, 16 rows to a group: group g of rows [16g, 16g + 16) takes nb x 544 bytes, block b of
 * the group at b * 544: the 16 rows' f16 scales (2 bytes each), then 8 chunks of 64 bytes,
 * chunk c holding values 4c ..< 4c + 4 of each of the 16 rows (4 bytes per row), each value
 * stored as value + 128 (unsigned, XOR 0x80). Rows past `rows` in the last group are zero
 * (scale 0, values 0). */
#define TEMPER_Q8_0_GROUP_ROWS 16

/* Regroups rows x nb ggml Q8_0 blocks (34 bytes each) into `packed`, which holds
 * ceil(rows / 16) * 16 * nb * 34 bytes. */
void temper_q8_0_pack(const uint8_t *blocks, size_t rows, size_t nb, uint8_t *packed);

/* The inverse of temper_q8_0_pack for rows [0, rows): rows x nb ggml blocks into `blocks`. */
void temper_q8_0_unpack(const uint8_t *packed, size_t rows, size_t nb, uint8_t *blocks);

/* Splits `count` Q8_0 activation blocks into f32 scales xd[b], int8 values xs[32b + j] and
 * the corrections xc[b] = -128 * sum_j xs[32b + j] that the products of the unsigned stored
 * weights need. */
void temper_q8_0_split(const uint8_t *blocks, size_t count, float *xd, int8_t *xs, int32_t *xc);

/* out[t * out_stride + r] = dot(row r of w, token t of x) for r < rows, t < tokens, with w
 * packed by temper_q8_0_pack (rows: that call's rows, or any count from the start of a group)
 * and x split by temper_q8_0_split (token t at blocks [t * nb, t * nb + nb)). Every path
 * computes, per row and token, acc = 0, then for each block b in order
 * acc = acc + (xd[b] * d_w[b]) * (float)(exact int32 sum of the 32 value products), so all
 * give the same bits (as ggml's generic ggml_vec_dot_q8_0_q8_0). Activation values must lie
 * in [-127, 127] (the Q8_0 quantizer's range). The SIMD paths hold one row per lane.
 * simd: 0 portable, 1 AVX2 (+F16C), 2 AVX-VNNI, 3 AVX-512 VNNI (512-bit vpdpbusd; 2 groups x
 * 4 tokens per pass, 1 group when tokens == 1), each where the CPU has it, else the next lower. */
void temper_q8_0_gemm(const uint8_t *w, size_t rows, size_t nb, const float *xd, const int8_t *xs, const int32_t *xc,
                      size_t tokens, float *out, size_t out_stride, int simd);

/* 1 when this CPU has AVX2 and FMA (checked once), else 0. */
int temper_cpu_has_avx2_fma(void);

/* f32 matrix-vector products for decoding (Sources/TemperTensor/Kernels/BLAS.swift routes
 * products with a few rows here): y[t * ldy + r] = (accumulate ? y[t * ldy + r] : 0) +
 * dot(row r of w, token t of x) for r < rows, t < tokens, with w rows of `cols` floats
 * ldw apart and x rows ldx apart. Each dot product accumulates element k into lane k % 32
 * with fused multiply-adds, reduces the 32 lanes in a fixed tree and adds the last
 * cols % 32 products in order; the AVX2/FMA path and the portable path (fmaf) give the same bits. */
void temper_f32_gemv(const float *w, size_t rows, size_t cols, size_t ldw,
                     const float *x, size_t tokens, size_t ldx, float *y, size_t ldy, int accumulate, int simd);

/* out[c] = sum over j < n, in order, of p[j] * v[j * ldv + c] for c < d (attention's
 * probabilities times the value rows of one head while decoding), one fused multiply-add
 * chain per output; the AVX2/FMA and portable paths give the same bits. */
void temper_f32_weighted_rows(const float *p, size_t n, const float *v, size_t ldv, size_t d, float *out, int simd);

#endif
