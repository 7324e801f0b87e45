/* What every kernel file starts with: no FMA contraction (each path rounds exactly as written,
 * so the SIMD and portable paths can give the same bits), the x86 intrinsics where they exist,
 * and the CPU-feature checks the run-time dispatch reads (cpu_features.c). Internal header. */
#ifndef TEMPER_KERNEL_PRELUDE_H
#define TEMPER_KERNEL_PRELUDE_H
#include "temper_kernels.h"

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#if defined(__x86_64__)
#include <immintrin.h>
#define TEMPER_X86 1
#else
#define TEMPER_X86 0
#endif

/* 1 when this CPU has AVX2, F16C and AVX-VNNI (checked once), else 0. */
int temper_cpu_has_avxvnni(void);
#endif
