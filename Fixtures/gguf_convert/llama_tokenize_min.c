// Token ids of each line of a file, by libllama's own tokenizer (what llama-tokenize prints
// with --ids: tools/tokenize/tokenize.cpp calls common_tokenize(vocab, text, add_bos, parse_special)
// = llama_tokenize(vocab, …, add_special = the GGUF's add_bos, parse_special = true)).
// Built from libllama alone, without llama-common.
//
//   llama_tokenize_min MODEL.gguf LINES_FILE      -> one `[id, id, …]` line per input line
#include "llama.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char ** argv) {
    if (argc != 3) { fprintf(stderr, "usage: llama_tokenize_min MODEL.gguf LINES_FILE\n"); return 64; }
    FILE * f = fopen(argv[2], "rb");
    if (!f) { fprintf(stderr, "llama_tokenize_min: cannot read %s\n", argv[2]); return 1; }
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.vocab_only = true;
    struct llama_model * m = llama_model_load_from_file(argv[1], mp);
    if (!m) { fprintf(stderr, "llama_tokenize_min: cannot load %s\n", argv[1]); return 1; }
    const struct llama_vocab * v = llama_model_get_vocab(m);
    char line[65536];
    llama_token toks[65536];
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n') line[--n] = 0;
        int nt = llama_tokenize(v, line, (int) n, toks, 65536, llama_vocab_get_add_bos(v), true);
        if (nt < 0) { fprintf(stderr, "llama_tokenize_min: tokenize failed\n"); return 1; }
        printf("[");
        for (int i = 0; i < nt; i++) printf(i ? ", %d" : "%d", toks[i]);
        printf("]\n");
    }
    llama_model_free(m);
    return 0;
}
