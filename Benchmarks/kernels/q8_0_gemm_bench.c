/* Microbenchmark of temper_q8_0_gemm (Sources/CTemperKernels): random Q8_0 weights and
 * activations, checks that every path gives the portable path's bits, then times one path.
 *   S=Sources/CTemperKernels; clang -O2 -I $S/include -I $S Benchmarks/kernels/q8_0_gemm_bench.c \
 *     $S/q8_0_gemm.c $S/q8_0_pack.c $S/cpu_features.c -o /tmp/q8bench -lm -lpthread
 *   /tmp/q8bench ROWS BLOCKS TOKENS [SIMD 0-3] [SECONDS] [HUGEPAGES 0/1] [THREADS]
 * One thread: ns per block x token of thread CPU time (robust on a shared machine). Several
 * threads: wall time and GB/s of weights. -DOLD builds against the kernel before the 16-row
 * layout (q8_0.c, q8_0_dot.inc, kernel_prelude.h, cpu_features.c and the header of commit
 * 99693be) for A/B runs. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include "temper_kernels.h"
#include <sys/mman.h>
#include <pthread.h>

static uint64_t st = 88172645463325252ull;
static uint64_t nxt(void) { st ^= st << 13; st ^= st >> 7; st ^= st << 17; return st; }
static double now(void) { struct timespec ts; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); return ts.tv_sec + 1e-9 * ts.tv_nsec; }
static uint16_t f16(float f) { _Float16 h = (_Float16)f; uint16_t u; memcpy(&u, &h, 2); return u; }

#ifndef OLD
struct job { const uint8_t *w; size_t rows, nb; const float *xd; const int8_t *xs; const int32_t *xc; size_t tokens; float *out; size_t stride; int simd; size_t iters; };
static void *run(void *p) { struct job *j = p; for (size_t i = 0; i < j->iters; i++) temper_q8_0_gemm(j->w, j->rows, j->nb, j->xd, j->xs, j->xc, j->tokens, j->out, j->stride, j->simd); return 0; }
#endif
int main(int argc, char **argv) {
    size_t rows = argc > 1 ? atol(argv[1]) : 1536, nb = argc > 2 ? atol(argv[2]) : 18, tokens = argc > 3 ? atol(argv[3]) : 1;
    int simd = argc > 4 ? atoi(argv[4]) : 3; double secs = argc > 5 ? atof(argv[5]) : 1.0;
    size_t prow = (rows + 15) / 16 * 16;
    uint8_t *wb = malloc(rows * nb * 34), *xb = malloc(tokens * nb * 34);
    for (size_t b = 0; b < rows * nb; b++) { uint16_t h = f16((float)(nxt() % 1000 + 1) / 64000); memcpy(wb + 34 * b, &h, 2); for (int j = 0; j < 32; j++) wb[34 * b + 2 + j] = (uint8_t)nxt(); }
    for (size_t b = 0; b < tokens * nb; b++) { uint16_t h = f16((float)(nxt() % 1000 + 1) / 64000); memcpy(xb + 34 * b, &h, 2); for (int j = 0; j < 32; j++) xb[34 * b + 2 + j] = (uint8_t)(int8_t)((int)(nxt() % 255) - 127); }
    float *xd = malloc(4 * tokens * nb); int8_t *xs = malloc(32 * tokens * nb); int32_t *xc = malloc(4 * tokens * nb);
    float *out = malloc(4 * tokens * rows), *ref = malloc(4 * tokens * rows);
    for (size_t b = 0; b < tokens * nb; b++) { _Float16 h; memcpy(&h, xb + 34 * b, 2); xd[b] = (float)h; int s = 0; for (int j = 0; j < 32; j++) { xs[32 * b + j] = (int8_t)xb[34 * b + 2 + j]; s += xs[32 * b + j]; } xc[b] = -128 * s; }
#ifdef OLD
    const uint8_t *w = wb;
#define CALL(sd, o) temper_q8_0_gemm(w, rows, nb, xd, xs, tokens, o, rows, sd)
    int levels = 2;
#else
    int huge = argc > 6 ? atoi(argv[6]) : 0;
    size_t wbytes = (prow * nb * 34 + (2u << 20) - 1) / (2u << 20) * (2u << 20);
    uint8_t *w = aligned_alloc(2u << 20, wbytes);
    if (huge) madvise(w, wbytes, MADV_HUGEPAGE);
    temper_q8_0_pack(wb, rows, nb, w);
    uint8_t *back = malloc(rows * nb * 34); temper_q8_0_unpack(w, rows, nb, back);
    if (memcmp(back, wb, rows * nb * 34)) { printf("unpack mismatch\n"); return 1; }
#define CALL(sd, o) temper_q8_0_gemm(w, rows, nb, xd, xs, xc, tokens, o, rows, sd)
    int levels = 3;
#endif
    CALL(0, ref);
    for (int sd = 1; sd <= levels; sd++) { CALL(sd, out); if (memcmp(out, ref, 4 * tokens * rows)) { printf("simd %d differs from portable\n", sd); return 1; } }
    /* against double */
    double maxrel = 0;
    for (size_t t = 0; t < tokens; t++) for (size_t r = 0; r < rows; r++) { double e = 0, m = 0; for (size_t b = 0; b < nb; b++) { _Float16 h; memcpy(&h, wb + 34 * (r * nb + b), 2); double s = 0; for (int j = 0; j < 32; j++) s += (double)(int8_t)wb[34 * (r * nb + b) + 2 + j] * xs[32 * (t * nb + b) + j]; e += s * (double)h * xd[t * nb + b]; m += fabs(s * (double)h * xd[t * nb + b]); } double d = fabs(e - ref[t * rows + r]) / (m + 1e-30); if (d > maxrel) maxrel = d; }
    int threads = argc > 7 ? atoi(argv[7]) : 1;
    if (huge) { FILE *f = fopen("/proc/self/smaps_rollup", "r"); char line[256]; while (fgets(line, sizeof line, f)) if (strstr(line, "AnonHuge")) printf("%s", line); fclose(f); }
    if (threads > 1) {
#ifndef OLD
        size_t iters2 = (size_t)(secs * 1e9 / (rows * nb * tokens * 0.5));
        struct timespec a, b2; clock_gettime(CLOCK_MONOTONIC, &a);
        pthread_t th[8]; struct job jobs[8];
        size_t groups = (rows + 15) / 16, per = (groups + threads - 1) / threads * 16;
        for (int k = 0; k < threads; k++) { size_t lo = k * per, hi = lo + per > rows ? rows : lo + per; jobs[k] = (struct job){w + lo * nb * 34, hi - lo, nb, xd, xs, xc, tokens, out + lo, rows, simd, iters2}; pthread_create(&th[k], 0, run, &jobs[k]); }
        for (int k = 0; k < threads; k++) pthread_join(th[k], 0);
        clock_gettime(CLOCK_MONOTONIC, &b2);
        double el = (b2.tv_sec - a.tv_sec) + 1e-9 * (b2.tv_nsec - a.tv_nsec);
        printf("%d threads wall: %.3f ns per block*token, %.1f GB/s\n", threads, el / iters2 / (rows * nb * tokens) * 1e9, iters2 * rows * nb * 34.0 / el / 1e9);
        return 0;
#endif
    }
    size_t iters = 0; double t0 = now(), t1;
    do { CALL(simd, out); iters++; t1 = now(); } while (t1 - t0 < secs);
    printf("rows %zu nb %zu tokens %zu simd %d: %.3f ns per block*token (max rel err vs double %.2e, %zu iters)\n", rows, nb, tokens, simd, (t1 - t0) / iters / (rows * nb * tokens) * 1e9, maxrel, iters);
    return 0;
}
