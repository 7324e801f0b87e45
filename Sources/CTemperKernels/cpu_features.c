/* The CPU-feature checks of the run-time dispatch (see include/temper_kernels.h), each done
 * once and cached. */
#include "kernel_prelude.h"

#if TEMPER_X86
#define HAS(feature) __builtin_cpu_supports(feature)
#define FEATURE_CHECK(name, test)                  \
    int name(void) {                               \
        static int cached = -1;                    \
        if (cached < 0) {                          \
            __builtin_cpu_init();                  \
            cached = (test);                       \
        }                                          \
        return cached;                             \
    }
#else
#define FEATURE_CHECK(name, test) int name(void) { return 0; }
#endif

FEATURE_CHECK(temper_cpu_has_avx2_f16c, HAS("avx2") && HAS("f16c"))
FEATURE_CHECK(temper_cpu_has_avx2_fma, HAS("avx2") && HAS("fma"))
FEATURE_CHECK(temper_cpu_has_avxvnni, HAS("avx2") && HAS("f16c") && HAS("avxvnni"))
FEATURE_CHECK(temper_cpu_has_avx512vnni, HAS("avx512f") && HAS("avx512bw") && HAS("avx512vl") && HAS("avx512vnni"))

/* The widest instruction set of the loop kernels (elementwise.c, kquant.c): 2 AVX-512F,
 * 1 AVX2 with FMA, 0 portable. */
int temper_cpu_simd_level(void) {
#if TEMPER_X86
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = HAS("avx512f") ? 2 : (HAS("avx2") && HAS("fma")) ? 1 : 0;
    }
    return cached;
#else
    return 0;
#endif
}
