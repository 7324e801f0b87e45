/* SIMD kernels Temper dispatches to at run time (AVX2 + F16C / FMA on x86-64), each with a portable
 * C path that gives the same bits: the Q8_0 quantizer (bit-identical with the Swift scalar
 * code in Sources/TemperFormats/Quantize.swift, i.e. with gguf-py and ggml's reference) and
 * the Q8_0 x Q8_0 dot products of the int8 inference path (Sources/TemperModels/Q8Linear.swift),
 * after ggml-cpu `ggml_vec_dot_q8_0_q8_0`: int32 sums per 32-value block, scaled by both
 * block scales, accumulated in f32. */
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

/* out[t * out_stride + r] = dot(row r of w, token t of x) for r < rows, t < tokens.
 * w: rows x nb Q8_0 blocks (34 bytes each, ggml layout). x: tokens x nb blocks split into
 * scales xd[t * nb + b] (f32) and values xs[(t * nb + b) * 32 + j] (int8).
 * The block products go to 8 partial sums (block b into sum b % 8) reduced pairwise at
 * the end, on every path, so all give the same bits. The SIMD paths take four tokens per
 * pass over a weight row (each group of 8 weight blocks loaded once for the four).
 * simd: 0 portable, 1 AVX2 (+F16C), 2 AVX-VNNI where the CPU has it (else AVX2). */
void temper_q8_0_gemm(const uint8_t *w, size_t rows, size_t nb,
                      const float *xd, const int8_t *xs, size_t tokens,
                      float *out, size_t out_stride, int simd);

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
