/* See include/temper_kernels.h: the data layouts of the Q8_0 products (q8_0_gemm.c). Weights
 * are regrouped once at load, 16 rows to a group (TEMPER_Q8_0_GROUP_ROWS), so that one
 * 512-bit register holds 4 values of the same block of 16 rows and vpdpbusd adds one row's
 * partial sum per lane: no horizontal reduction anywhere. Activations are split into scales,
 * values and the correction term of the unsigned weights. */
#include "kernel_prelude.h"

#define GROUP TEMPER_Q8_0_GROUP_ROWS
#define BLOCK_GROUP_BYTES (GROUP * 34)

/* Offset, inside one block of one group, of value j of the group's row l. */
static inline size_t value_offset(size_t l, size_t j) { return 2 * GROUP + 4 * GROUP * (j / 4) + 4 * l + j % 4; }

void temper_q8_0_pack(const uint8_t *blocks, size_t rows, size_t nb, uint8_t *packed) {
    size_t groups = (rows + GROUP - 1) / GROUP;
    for (size_t g = 0; g < groups; g++) {
        for (size_t b = 0; b < nb; b++) {
            uint8_t *dst = packed + (g * nb + b) * BLOCK_GROUP_BYTES;
            for (size_t l = 0; l < GROUP; l++) {
                size_t r = g * GROUP + l;
                /* Padding rows: scale +0, values 0 (stored as 0x80); never stored out. */
                static const uint8_t zero[34] = {0};
                const uint8_t *src = r < rows ? blocks + (r * nb + b) * 34 : zero;
                dst[2 * l] = src[0];
                dst[2 * l + 1] = src[1];
                for (size_t c = 0; c < 8; c++) {
                    uint32_t v;
                    memcpy(&v, src + 2 + 4 * c, 4);
                    v ^= 0x80808080u;
                    memcpy(dst + value_offset(l, 4 * c), &v, 4);
                }
            }
        }
    }
}

void temper_q8_0_unpack(const uint8_t *packed, size_t rows, size_t nb, uint8_t *blocks) {
    for (size_t r = 0; r < rows; r++) {
        size_t g = r / GROUP, l = r % GROUP;
        for (size_t b = 0; b < nb; b++) {
            const uint8_t *src = packed + (g * nb + b) * BLOCK_GROUP_BYTES;
            uint8_t *dst = blocks + (r * nb + b) * 34;
            dst[0] = src[2 * l];
            dst[1] = src[2 * l + 1];
            for (size_t j = 0; j < 32; j++) dst[2 + j] = (uint8_t)(src[value_offset(l, j)] ^ 0x80);
        }
    }
}

void temper_q8_0_split(const uint8_t *blocks, size_t count, float *xd, int8_t *xs, int32_t *xc) {
    for (size_t b = 0; b < count; b++) {
        const uint8_t *src = blocks + 34 * b;
        xd[b] = temper_float_from_f16((uint16_t)(src[0] | (src[1] << 8)));
        int32_t sum = 0;
        for (size_t j = 0; j < 32; j++) {
            int8_t v = (int8_t)src[2 + j];
            xs[32 * b + j] = v;
            sum += v;
        }
        xc[b] = -128 * sum;
    }
}
