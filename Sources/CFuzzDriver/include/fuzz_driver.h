#ifndef TEMPER_FUZZ_DRIVER_H
#define TEMPER_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>
/// libFuzzer's driver (LLVM >= 11), linked only in the -sanitize=fuzzer build of TemperFuzz.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
#endif
