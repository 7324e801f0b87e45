/* The per-sub-block scale searches of ggml's k-quants (`make_qkx2_quants` for Q2_K/Q4_K/Q5_K,
 * `make_qx_quants` with rmse_type 1 for Q6_K), run across sub-blocks: one sub-block per SIMD
 * lane, every lane performing the scalar operation sequence of Sources/TemperFormats/
 * KQuantSearch.swift (same order of adds, no FMA contraction, branches as masked selects), so
 * every lane's scale, min and levels have the bits of the Swift scalar code, which the tests
 * compare. Chosen at run time: 0 portable (4 lanes in baseline code), 1 AVX2 (16 lanes),
 * 2 AVX-512F (32 lanes). Calls with at least that many sub-blocks fill every lane. */
#ifndef TEMPER_KQUANT_H
#define TEMPER_KQUANT_H
#include <stddef.h>
#include <stdint.h>

/* The best instruction set of these searches on this CPU: 0, 1 or 2 as above. */
int temper_kquant_best_simd(void);

/* `make_qkx2_quants(n, nmax, x, weights, L, &the_min, Laux, rmin, rdelta, nstep, use_mad)` for
 * `count` consecutive sub-blocks of n (≤ 32) values at x. Weights: kind 0 is
 * sqrt(Σx²/n) + |x| (Q4_K, Q5_K), kind 1 is |x| (Q2_K). Writes n levels per sub-block to L,
 * the scale to scales[j] and the_min (−min) to mins[j]. */
void temper_kquant_qkx2(const float *x, size_t count, int n, int nmax, float rmin, float rdelta, int nstep,
                        int weights_kind, int use_mad, uint8_t *L, float *scales, float *mins, int simd);

/* `make_qx_quants(n, nmax, x, L, rmse_type = 1, qw = NULL)` for `count` consecutive
 * sub-blocks of n (≤ 32) values at x: levels + nmax to L, the scale to scales[j]. */
void temper_kquant_qx(const float *x, size_t count, int n, int nmax, int8_t *L, float *scales, int simd);

/* `make_q3_quants(n, nmax, x, L, do_rmse = true)` for `count` consecutive sub-blocks of n
 * (≤ 32) values at x: levels + nmax to L, the scale to scales[j]. */
void temper_kquant_q3(const float *x, size_t count, int n, int nmax, int8_t *L, float *scales, int simd);

#endif
