// KL divergence between two GGUFs' next-token distributions, run by libllama itself.
//
//   llama_kld_min REF.gguf OURS.gguf TEXT_FILE N_CTX
//
// What llama-perplexity --kl-divergence measures (tools/perplexity/perplexity.cpp,
// kl_divergence(): text tokenized with bos as the model says and specials not parsed, cut into
// chunks of N_CTX tokens, each decoded from an empty cache with logits for every position, the
// second half of each chunk scored, KL(p_ref || p_ours) per position), without llama-common
// (half the llama.cpp build), and in double on the full logits instead of perplexity's uint16
// log-prob file. Prints `tokens N chunks C scored S mean_kld X max_kld Y top1_agree A/S` on
// stdout; exit 1 on any failure.
#include "llama.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct llama_context * open_model(const char * path, int n_ctx, struct llama_model ** model) {
    struct llama_model_params mp = llama_model_default_params();
    *model = llama_model_load_from_file(path, mp);
    if (!*model) { fprintf(stderr, "llama_kld_min: cannot load %s\n", path); return NULL; }
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = n_ctx; cp.n_batch = n_ctx; cp.n_ubatch = n_ctx; cp.n_threads = 2; cp.n_threads_batch = 2;
    return llama_init_from_model(*model, cp);
}

static int decode(struct llama_context * ctx, const llama_token * toks, int n) {
    struct llama_batch b = llama_batch_init(n, 0, 1);
    for (int i = 0; i < n; i++) {
        b.token[i] = toks[i]; b.pos[i] = i; b.n_seq_id[i] = 1; b.seq_id[i][0] = 0; b.logits[i] = 1;
    }
    b.n_tokens = n;
    llama_memory_clear(llama_get_memory(ctx), true);
    int rc = llama_decode(ctx, b);
    llama_batch_free(b);
    return rc;
}

static void log_softmax(const float * x, double * out, int n) {
    double m = x[0];
    for (int i = 1; i < n; i++) if (x[i] > m) m = x[i];
    double s = 0;
    for (int i = 0; i < n; i++) s += exp((double) x[i] - m);
    double ls = log(s) + m;
    for (int i = 0; i < n; i++) out[i] = (double) x[i] - ls;
}

int main(int argc, char ** argv) {
    if (argc != 5) { fprintf(stderr, "usage: llama_kld_min REF.gguf OURS.gguf TEXT_FILE N_CTX\n"); return 64; }
    int n_ctx = atoi(argv[4]);
    if (n_ctx < 4) { fprintf(stderr, "llama_kld_min: N_CTX must be >= 4\n"); return 64; }
    FILE * f = fopen(argv[3], "rb");
    if (!f) { fprintf(stderr, "llama_kld_min: cannot read %s\n", argv[3]); return 1; }
    fseek(f, 0, SEEK_END); long len = ftell(f); fseek(f, 0, SEEK_SET);
    char * text = malloc(len + 1);
    if (!text || fread(text, 1, len, f) != (size_t) len) { fprintf(stderr, "llama_kld_min: read failed\n"); return 1; }
    text[len] = 0; fclose(f);

    llama_backend_init();
    struct llama_model *mr, *mo;
    struct llama_context * cr = open_model(argv[1], n_ctx, &mr);
    struct llama_context * co = open_model(argv[2], n_ctx, &mo);
    if (!cr || !co) return 1;
    const struct llama_vocab * vr = llama_model_get_vocab(mr), * vo = llama_model_get_vocab(mo);
    int nv = llama_vocab_n_tokens(vr);
    if (nv != llama_vocab_n_tokens(vo)) { fprintf(stderr, "llama_kld_min: vocab sizes differ\n"); return 1; }
    int cap = (int) len + 16;
    llama_token * toks = malloc(sizeof(llama_token) * cap);
    int nt = llama_tokenize(vr, text, (int) len, toks, cap, llama_vocab_get_add_bos(vr), false);
    if (nt < 0) { fprintf(stderr, "llama_kld_min: tokenize failed\n"); return 1; }
    int chunks = nt / n_ctx;
    if (chunks < 1) { fprintf(stderr, "llama_kld_min: %d tokens, fewer than N_CTX=%d\n", nt, n_ctx); return 1; }
    double * lr = malloc(sizeof(double) * nv), * lo = malloc(sizeof(double) * nv);
    double sum = 0, mx = 0; long scored = 0, agree = 0;
    for (int c = 0; c < chunks; c++) {
        llama_token * t = toks + (long) c * n_ctx;
        // perplexity.cpp puts bos at the start of every chunk when the model adds one
        llama_token keep = t[0];
        if (llama_vocab_get_add_bos(vr)) t[0] = llama_vocab_bos(vr);
        if (decode(cr, t, n_ctx) || decode(co, t, n_ctx)) { fprintf(stderr, "llama_kld_min: decode failed\n"); return 1; }
        t[0] = keep;
        for (int i = n_ctx / 2; i < n_ctx - 1; i++) {
            const float * a = llama_get_logits_ith(cr, i), * b = llama_get_logits_ith(co, i);
            log_softmax(a, lr, nv); log_softmax(b, lo, nv);
            double kl = 0; int ar = 0, ao = 0;
            for (int k = 0; k < nv; k++) {
                kl += exp(lr[k]) * (lr[k] - lo[k]);
                if (a[k] > a[ar]) ar = k;
                if (b[k] > b[ao]) ao = k;
            }
            sum += kl; if (kl > mx) mx = kl; scored++; agree += ar == ao;
        }
    }
    printf("tokens %d chunks %d scored %ld mean_kld %.3e max_kld %.3e top1_agree %ld/%ld\n",
           nt, chunks, scored, sum / scored, mx, agree, scored);
    llama_free(cr); llama_free(co); llama_model_free(mr); llama_model_free(mo);
    return 0;
}
