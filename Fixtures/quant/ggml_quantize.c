// Reference quantizer for Temper's tests: runs ggml's own ggml_quantize_chunk (no importance
// matrix, which is what llama-quantize does for these types) on raw little-endian f32 values.
//
//   ggml_quantize TYPE N_PER_ROW IN.f32 OUT.bin
//
// TYPE is a ggml type name as ggml_type_name prints it (q4_K, iq4_nl, ...), case-insensitive.
// Built against libggml-base by Fixtures/quant/make_expectations.sh.
#include "ggml.h"
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

int main(int argc, char ** argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s TYPE N_PER_ROW IN.f32 OUT.bin\n", argv[0]); return 64; }
    enum ggml_type type = GGML_TYPE_COUNT;
    for (int t = 0; t < GGML_TYPE_COUNT; ++t) {
        const char * name = ggml_type_name((enum ggml_type) t);
        if (name && strcasecmp(name, argv[1]) == 0) { type = (enum ggml_type) t; break; }
    }
    if (type == GGML_TYPE_COUNT) { fprintf(stderr, "unknown type %s\n", argv[1]); return 64; }
    const long n_per_row = atol(argv[2]);
    FILE * in = fopen(argv[3], "rb");
    if (!in || n_per_row <= 0) { fprintf(stderr, "cannot read %s\n", argv[3]); return 65; }
    fseek(in, 0, SEEK_END);
    const long bytes = ftell(in);
    fseek(in, 0, SEEK_SET);
    const long n = bytes / 4;
    if (n % n_per_row != 0) { fprintf(stderr, "%ld values are not rows of %ld\n", n, n_per_row); return 65; }
    float * src = malloc(bytes);
    if (fread(src, 4, n, in) != (size_t) n) { fprintf(stderr, "short read\n"); return 65; }
    fclose(in);
    const long nrows = n / n_per_row;
    const size_t out_size = ggml_row_size(type, n_per_row) * nrows;
    void * dst = malloc(out_size);
    ggml_quantize_init(type);
    const size_t written = ggml_quantize_chunk(type, src, dst, 0, nrows, n_per_row, NULL);
    FILE * out = fopen(argv[4], "wb");
    if (!out || fwrite(dst, 1, written, out) != written) { fprintf(stderr, "cannot write %s\n", argv[4]); return 1; }
    fclose(out);
    return 0;
}
