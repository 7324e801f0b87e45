// llama-quantize without its argument parser: calls llama_model_quantize (the function
// tools/quantize runs) with llama_model_quantize_default_params, i.e. what
// `llama-quantize IN OUT FTYPE NTHREAD` does without an importance matrix or options.
// Needs only libllama + ggml (not llama-common), so it builds in a fraction of the time.
//
//   llama_quantize_min IN.gguf OUT.gguf FTYPE_NUMBER NTHREAD
#include "llama.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char ** argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s IN.gguf OUT.gguf FTYPE_NUMBER NTHREAD\n", argv[0]); return 64; }
    llama_backend_init();
    llama_model_quantize_params params = llama_model_quantize_default_params();
    params.ftype = (enum llama_ftype) atoi(argv[3]);
    params.nthread = atoi(argv[4]);
    const uint32_t rc = llama_model_quantize(argv[1], argv[2], &params);
    llama_backend_free();
    return rc ? 1 : 0;
}
