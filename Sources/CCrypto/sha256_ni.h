/* SHA-256 block compression with the x86 SHA extensions (SHA-NI): one stream, or two or four
 * independent streams with their rounds interleaved on one core. libcrypto hashes one stream
 * at a time, and SHA-NI rounds are latency-bound, so when Temper must hash the same bytes
 * twice (a weight file and its tensors) or several files on one core, interleaving gets more
 * bytes per cycle: measured on the Zen 5 bench machine, per core, 1.9 GB/s for one stream,
 * 2.8 for two, 3.4-4.0 for four, the last at the sha256rnds2 throughput limit
 * (Benchmarks/README.md, notes on row 4). Only block compression lives here; buffering,
 * padding and the fallback to libcrypto are in Sources/TemperIntegrity/SHA256NI.swift.
 * Elsewhere (other CPUs, other architectures) temper_sha256_ni_available() returns 0 and the
 * block functions are never called. */
#ifndef TEMPER_SHA256_NI_H
#define TEMPER_SHA256_NI_H
#include <stdint.h>
#include <stddef.h>
#if defined(__x86_64__)
#include <immintrin.h>
#include <cpuid.h>

static const uint32_t temper_sha256_k[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define TEMPER_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* state[8] (a..h) -> ABEF / CDGH register layout and back. */
TEMPER_SHA_TARGET static inline void temper_sha256_load(const uint32_t *state, __m128i *s0, __m128i *s1) {
    __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1);
    __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B);
    *s0 = _mm_alignr_epi8(tmp, efgh, 8);
    *s1 = _mm_blend_epi16(efgh, tmp, 0xF0);
}

TEMPER_SHA_TARGET static inline void temper_sha256_store(uint32_t *state, __m128i s0, __m128i s1) {
    __m128i tmp = _mm_shuffle_epi32(s0, 0x1B);
    s1 = _mm_shuffle_epi32(s1, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(tmp, s1, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(s1, tmp, 8));
}

/* One group of four rounds (g = 0…15) for one stream; W holds the message schedule. */
#define TEMPER_SHA_GROUP(g, W, S0, S1, data, MASK)                                          \
    do {                                                                                    \
        if ((g) < 4) W[(g)] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)((data) + 16 * (g))), MASK); \
        __m128i m_ = _mm_add_epi32(W[(g) & 3], _mm_load_si128((const __m128i *)&temper_sha256_k[4 * (g)])); \
        S1 = _mm_sha256rnds2_epu32(S1, S0, m_);                                             \
        if ((g) >= 3 && (g) <= 14) {                                                        \
            __m128i t_ = _mm_alignr_epi8(W[(g) & 3], W[((g) + 3) & 3], 4);                 \
            W[((g) + 1) & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(W[((g) + 1) & 3], t_), W[(g) & 3]); \
        }                                                                                   \
        m_ = _mm_shuffle_epi32(m_, 0x0E);                                                   \
        S0 = _mm_sha256rnds2_epu32(S0, S1, m_);                                             \
        if ((g) >= 1 && (g) <= 12) W[((g) + 3) & 3] = _mm_sha256msg1_epu32(W[((g) + 3) & 3], W[(g) & 3]); \
    } while (0)

/* Compresses `blocks` 64-byte blocks into one state. */
TEMPER_SHA_TARGET static inline void temper_sha256_blocks(uint32_t *state, const uint8_t *data, size_t blocks) {
    const __m128i MASK = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i s0, s1, W[4];
    temper_sha256_load(state, &s0, &s1);
    for (; blocks > 0; blocks--, data += 64) {
        __m128i a = s0, c = s1;
        TEMPER_SHA_GROUP(0, W, s0, s1, data, MASK);  TEMPER_SHA_GROUP(1, W, s0, s1, data, MASK);
        TEMPER_SHA_GROUP(2, W, s0, s1, data, MASK);  TEMPER_SHA_GROUP(3, W, s0, s1, data, MASK);
        TEMPER_SHA_GROUP(4, W, s0, s1, data, MASK);  TEMPER_SHA_GROUP(5, W, s0, s1, data, MASK);
        TEMPER_SHA_GROUP(6, W, s0, s1, data, MASK);  TEMPER_SHA_GROUP(7, W, s0, s1, data, MASK);
        TEMPER_SHA_GROUP(8, W, s0, s1, data, MASK);  TEMPER_SHA_GROUP(9, W, s0, s1, data, MASK);
        TEMPER_SHA_GROUP(10, W, s0, s1, data, MASK); TEMPER_SHA_GROUP(11, W, s0, s1, data, MASK);
        TEMPER_SHA_GROUP(12, W, s0, s1, data, MASK); TEMPER_SHA_GROUP(13, W, s0, s1, data, MASK);
        TEMPER_SHA_GROUP(14, W, s0, s1, data, MASK); TEMPER_SHA_GROUP(15, W, s0, s1, data, MASK);
        s0 = _mm_add_epi32(s0, a); s1 = _mm_add_epi32(s1, c);
    }
    temper_sha256_store(state, s0, s1);
}

/* Two independent streams, `blocks` blocks each, rounds interleaved: SHA-NI rounds are
   latency-bound, so a second stream fills the pipeline (about 1.7x the bytes per cycle). */
TEMPER_SHA_TARGET static inline void temper_sha256_blocks_2x(uint32_t *stateA, const uint8_t *dataA,
                                                           uint32_t *stateB, const uint8_t *dataB, size_t blocks) {
    const __m128i MASK = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i a0, a1, b0, b1, WA[4], WB[4];
    temper_sha256_load(stateA, &a0, &a1);
    temper_sha256_load(stateB, &b0, &b1);
    for (; blocks > 0; blocks--, dataA += 64, dataB += 64) {
        __m128i sa0 = a0, sa1 = a1, sb0 = b0, sb1 = b1;
#define TEMPER_SHA_GROUP2(g) TEMPER_SHA_GROUP(g, WA, a0, a1, dataA, MASK); TEMPER_SHA_GROUP(g, WB, b0, b1, dataB, MASK)
        TEMPER_SHA_GROUP2(0);  TEMPER_SHA_GROUP2(1);  TEMPER_SHA_GROUP2(2);  TEMPER_SHA_GROUP2(3);
        TEMPER_SHA_GROUP2(4);  TEMPER_SHA_GROUP2(5);  TEMPER_SHA_GROUP2(6);  TEMPER_SHA_GROUP2(7);
        TEMPER_SHA_GROUP2(8);  TEMPER_SHA_GROUP2(9);  TEMPER_SHA_GROUP2(10); TEMPER_SHA_GROUP2(11);
        TEMPER_SHA_GROUP2(12); TEMPER_SHA_GROUP2(13); TEMPER_SHA_GROUP2(14); TEMPER_SHA_GROUP2(15);
#undef TEMPER_SHA_GROUP2
        a0 = _mm_add_epi32(a0, sa0); a1 = _mm_add_epi32(a1, sa1);
        b0 = _mm_add_epi32(b0, sb0); b1 = _mm_add_epi32(b1, sb1);
    }
    temper_sha256_store(stateA, a0, a1);
    temper_sha256_store(stateB, b0, b1);
}

/* Four independent streams, `blocks` blocks each: two files and the tensor each is inside,
   hashed on one core (about 1.2x the bytes per cycle of two streams on Zen 5; SHA-NI rounds
   reach their throughput limit here). Four streams' states and message schedules need 24
   xmm registers; compiled for AVX (VEX three-operand forms, still xmm only) clang spills far
   less than with SSE encodings: 3.4 vs 2.2 GB/s per core. Call only when
   temper_sha256_ni_avx_available(). */
#define TEMPER_SHA_AVX_TARGET __attribute__((target("sha,avx")))
TEMPER_SHA_AVX_TARGET static inline void temper_sha256_blocks_4x(uint32_t *stateA, const uint8_t *dataA,
                                                                uint32_t *stateB, const uint8_t *dataB,
                                                                uint32_t *stateC, const uint8_t *dataC,
                                                                uint32_t *stateD, const uint8_t *dataD, size_t blocks) {
    const __m128i MASK = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i a0, a1, b0, b1, c0, c1, d0, d1, WA[4], WB[4], WC[4], WD[4];
    temper_sha256_load(stateA, &a0, &a1);
    temper_sha256_load(stateB, &b0, &b1);
    temper_sha256_load(stateC, &c0, &c1);
    temper_sha256_load(stateD, &d0, &d1);
    for (; blocks > 0; blocks--, dataA += 64, dataB += 64, dataC += 64, dataD += 64) {
        __m128i sa0 = a0, sa1 = a1, sb0 = b0, sb1 = b1, sc0 = c0, sc1 = c1, sd0 = d0, sd1 = d1;
#define TEMPER_SHA_GROUP4(g) TEMPER_SHA_GROUP(g, WA, a0, a1, dataA, MASK); TEMPER_SHA_GROUP(g, WB, b0, b1, dataB, MASK); \
                             TEMPER_SHA_GROUP(g, WC, c0, c1, dataC, MASK); TEMPER_SHA_GROUP(g, WD, d0, d1, dataD, MASK)
        TEMPER_SHA_GROUP4(0);  TEMPER_SHA_GROUP4(1);  TEMPER_SHA_GROUP4(2);  TEMPER_SHA_GROUP4(3);
        TEMPER_SHA_GROUP4(4);  TEMPER_SHA_GROUP4(5);  TEMPER_SHA_GROUP4(6);  TEMPER_SHA_GROUP4(7);
        TEMPER_SHA_GROUP4(8);  TEMPER_SHA_GROUP4(9);  TEMPER_SHA_GROUP4(10); TEMPER_SHA_GROUP4(11);
        TEMPER_SHA_GROUP4(12); TEMPER_SHA_GROUP4(13); TEMPER_SHA_GROUP4(14); TEMPER_SHA_GROUP4(15);
#undef TEMPER_SHA_GROUP4
        a0 = _mm_add_epi32(a0, sa0); a1 = _mm_add_epi32(a1, sa1);
        b0 = _mm_add_epi32(b0, sb0); b1 = _mm_add_epi32(b1, sb1);
        c0 = _mm_add_epi32(c0, sc0); c1 = _mm_add_epi32(c1, sc1);
        d0 = _mm_add_epi32(d0, sd0); d1 = _mm_add_epi32(d1, sd1);
    }
    temper_sha256_store(stateA, a0, a1);
    temper_sha256_store(stateB, b0, b1);
    temper_sha256_store(stateC, c0, c1);
    temper_sha256_store(stateD, d0, d1);
}

/* Whether this CPU has the SHA extensions (CPUID leaf 7, EBX bit 29) and SSE4.1. */
static inline int temper_sha256_ni_available(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19))) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 29) & 1;
}

/* SHA-NI plus AVX with the OS saving the vector state (CPUID.1:ECX OSXSAVE and AVX, XCR0
   bits 1 and 2): the condition for temper_sha256_blocks_4x. */
static inline int temper_sha256_ni_avx_available(void) {
    unsigned int a, b, c, d;
    if (!temper_sha256_ni_available() || !__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 27)) || !(c & (1u << 28))) return 0;
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    return (lo & 6) == 6;
}
#else
static inline int temper_sha256_ni_available(void) { return 0; }
static inline void temper_sha256_blocks(uint32_t *state, const uint8_t *data, size_t blocks) { (void)state; (void)data; (void)blocks; }
static inline void temper_sha256_blocks_2x(uint32_t *stateA, const uint8_t *dataA, uint32_t *stateB, const uint8_t *dataB, size_t blocks) {
    (void)stateA; (void)dataA; (void)stateB; (void)dataB; (void)blocks;
}
static inline int temper_sha256_ni_avx_available(void) { return 0; }
static inline void temper_sha256_blocks_4x(uint32_t *stateA, const uint8_t *dataA, uint32_t *stateB, const uint8_t *dataB,
                                           uint32_t *stateC, const uint8_t *dataC, uint32_t *stateD, const uint8_t *dataD, size_t blocks) {
    (void)stateA; (void)dataA; (void)stateB; (void)dataB; (void)stateC; (void)dataC; (void)stateD; (void)dataD; (void)blocks;
}
#endif
#endif
