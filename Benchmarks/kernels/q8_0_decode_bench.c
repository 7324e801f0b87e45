/* One decode token's Q8_0 products over SmolLM2-135M's shapes (30 layers of q, k, v, o, gate,
 * up, down and the 49152-row head), each matrix its own allocation, one thread, weights cold
 * (143 MB > L3): best ms per token and GB/s. Build as q8_0_gemm_bench.c;
 * run: BIN [HUGEPAGES 0/1] [REPEATS]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include "temper_kernels.h"
static double now(void) { struct timespec ts; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); return ts.tv_sec + 1e-9 * ts.tv_nsec; }
int main(int argc, char **argv) {
    int huge = argc > 1 ? atoi(argv[1]) : 0, reps = argc > 2 ? atoi(argv[2]) : 20;
    size_t shapes[8][2] = {{576, 18}, {192, 18}, {192, 18}, {576, 18}, {1536, 18}, {1536, 18}, {576, 48}, {0, 0}};
    uint8_t *mats[30 * 7 + 1]; size_t R[30 * 7 + 1], NB[30 * 7 + 1]; int n = 0; size_t total = 0;
    for (int l = 0; l < 30; l++) for (int k = 0; k < 7; k++) { R[n] = shapes[k][0]; NB[n] = shapes[k][1]; n++; }
    R[n] = 49152; NB[n] = 18; n++;
    for (int i = 0; i < n; i++) { size_t bytes = (R[i] + 15) / 16 * 16 * NB[i] * 34; total += bytes;
        if (huge) { size_t a = (bytes + (2u << 20) - 1) / (2u << 20) * (2u << 20); mats[i] = aligned_alloc(2u << 20, a); madvise(mats[i], a, MADV_HUGEPAGE); } else mats[i] = malloc(bytes);
        for (size_t j = 0; j < bytes; j++) mats[i][j] = (uint8_t)(j * 7 + i); for (size_t j = 0; j < bytes; j += 544) { mats[i][j] = 0x3c; mats[i][j+1] = 0x12; } }
    float xd[48]; int8_t xs[48 * 32]; int32_t xc[48]; float *out = malloc(4 * 49152);
    for (int b = 0; b < 48; b++) { xd[b] = 0.01f; xc[b] = 0; for (int j = 0; j < 32; j++) xs[32 * b + j] = (int8_t)(j - 16); }
    double best = 1e9;
    for (int r = 0; r < reps; r++) { double t0 = now(); for (int i = 0; i < n; i++) temper_q8_0_gemm(mats[i], R[i], NB[i], xd, xs, xc, 1, out, R[i], 3); double t = now() - t0; if (t < best) best = t; }
    printf("huge %d: %.3f ms per token (best of %d), %.1f GB/s, %.1f MB\n", huge, best * 1e3, reps, total / best / 1e9, total / 1e6);
    return 0;
}
