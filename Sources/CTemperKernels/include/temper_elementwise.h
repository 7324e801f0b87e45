/* Elementwise kernels of TemperTensor (Sources/TemperTensor/Kernels/UnaryKernels.swift) that
 * Swift compiles only for baseline x86-64 (SSE2, 4 lanes): the same arithmetic, operation by
 * operation, built for AVX2 (8 lanes) and AVX-512 (16 lanes) and chosen at run time. Every
 * path performs the same IEEE operations in the same order (no FMA contraction), so all give
 * the bits of the Swift scalar code (`fastExp` in FastMath.swift), which the tests compare. */
#ifndef TEMPER_ELEMENTWISE_H
#define TEMPER_ELEMENTWISE_H
#include <stddef.h>

/* Instruction sets of the elementwise kernels: 0 portable, 1 AVX2, 2 AVX-512F. */
int temper_elementwise_best_simd(void);

/* out[i] = x[i] / (1 + e^(-x[i])) (SiLU) for i < n. */
void temper_silu_f32(const float *x, float *out, size_t n, int simd);

/* out[i] = g[i] * s * (1 + x[i] * (1 - s)) with s = 1 / (1 + e^(-x[i])) (SiLU's backward). */
void temper_silu_backward_f32(const float *x, const float *g, float *out, size_t n, int simd);

/* One Adam/AdamW update of n parameters (Sources/TemperTensor/Optim/Adam.swift), in this order
 * per element: p *= decay (1 when there is no decoupled decay: p * 1 is p); m = fma(w, g - m, m) when lerp_low (w < 0.5), else
 * m = fma(w - 1, g - m, g) (PyTorch's lerp); v = v * b2 + (one_minus_b2 * g) * g;
 * p += (neg_step * m) / (sqrt(v) / bc2_sqrt + eps). fma is exact on every path (fmaf or the
 * FMA instruction), so every path gives the same bits. */
void temper_adam_update_f32(float *p, const float *g, float *m, float *v, size_t n, float decay, float w,
                            int lerp_low, float b2, float one_minus_b2, float neg_step, float bc2_sqrt,
                            float eps, int simd);

#endif
