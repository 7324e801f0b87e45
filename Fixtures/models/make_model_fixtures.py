"""Writes the TemperModels parity fixtures: tiny random-init Hugging Face model folders and
reference outputs computed by transformers for fixed inputs.

Dev-time only (run in ~/.venvs/temper-fixtures, torch + transformers 5.23):
    ~/.venvs/temper-fixtures/bin/python Fixtures/models/make_model_fixtures.py

Models (each folder < 300 KB):
  llama-tied-llama3/  Llama, bf16 weights, tied embeddings, llama3 rope scaling (rope_theta
                      5000, factor 4, low/high 1/8, original_max_position_embeddings 64:
                      every frequency branch is used), explicit head_dim 16 != hidden/heads
  qwen2/              Qwen2 (q/k/v biases), GQA
  gpt2/               GPT-2 (Conv1D layout, learned positions, tied lm_head)
  bert/               BERT encoder + pooler + a WordPiece tokenizer.json built here
and references for the existing Fixtures/tiny-llama (Llama, GQA, untied, f32), which this
script reads but never rewrites.

For each model NAME: NAME.reference.json (ids, masks, labels, greedy generation) and
NAME.reference.safetensors (f32 tensors: rotary inv_freq, logits, residual stream after the embedding and
every block, each MLP output, final-normed hidden states, CE-loss gradients of chosen
weights, perturbation results). Weights are re-randomised (normal, std 0.1; norm weights
1 + N(0, 0.1²); biases N(0, 0.1²)) so that biases and norms are not trivially 0/1. The
reference forward runs in float32 on the reloaded folder (bf16 weights widened to f32,
exactly what Temper computes).
"""
import json
import os

import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import (AutoModel, AutoModelForCausalLM, BertConfig, BertModel, GPT2Config,
                          GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast,
                          Qwen2Config, Qwen2ForCausalLM)

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.dirname(HERE)
torch.set_num_threads(1)


def randomise(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g) * 0.1
            if "norm" in name.lower() and name.endswith("weight") or name.endswith("ln_1.weight") \
                    or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
                p.copy_(1 + noise)
            else:
                p.copy_(noise)


def clean(folder):
    p = os.path.join(folder, "generation_config.json")
    if os.path.exists(p):
        os.remove(p)


def decoder_parts(model):
    """(embedding module, blocks, mlp of block, final norm) for Llama-like and GPT-2 models."""
    if hasattr(model, "transformer"):
        t = model.transformer
        return t.drop, list(t.h), (lambda b: b.mlp), t.ln_f
    m = model.model
    return m.embed_tokens, list(m.layers), (lambda b: b.mlp), m.norm


def first(x):
    return x[0] if isinstance(x, tuple) else x


def run_with_hooks(model, ids, perturb=None, **kwargs):
    """Forward with capture of the residual stream (embedding output, every block output),
    every MLP output and the final-normed hidden states; `perturb` maps residual index
    (0 = embedding output, l+1 = output of block l) to a tensor added there."""
    embed, blocks, mlp_of, norm = decoder_parts(model)
    residuals, mlps, finals, handles = {}, {}, {}, []
    perturb = perturb or {}

    def residual_hook(index):
        def hook(_module, _inputs, output):
            h = first(output)
            if index in perturb:
                h = h + perturb[index]
            residuals[index] = h
            return (h,) + tuple(output[1:]) if isinstance(output, tuple) else h
        return hook

    handles.append(embed.register_forward_hook(residual_hook(0)))
    for i, block in enumerate(blocks):
        handles.append(block.register_forward_hook(residual_hook(i + 1)))
        handles.append(mlp_of(block).register_forward_hook(
            lambda _m, _i, out, i=i: mlps.__setitem__(i, first(out))))
    handles.append(norm.register_forward_hook(lambda _m, _i, out: finals.__setitem__(0, out)))
    try:
        out = model(ids, **kwargs)
    finally:
        for h in handles:
            h.remove()
    n = len(blocks)
    return out, [residuals[i] for i in range(n + 1)], [mlps[i] for i in range(n)], finals[0]


def causal_references(name, folder, ids, train_ids, train_mask, train_labels, grad_params, prompt):
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    tensors, meta = {}, {"ids": ids, "train_ids": train_ids, "train_mask": train_mask,
                         "train_labels": train_labels, "prompt": prompt}
    x = torch.tensor(ids)
    with torch.no_grad():
        out, residuals, mlps, final = run_with_hooks(model, x)
    tensors["logits"] = out.logits
    if hasattr(model, "model"):
        tensors["inv_freq"] = model.model.rotary_emb.inv_freq
    tensors["final_hidden"] = final
    for i, h in enumerate(residuals):
        tensors[f"residual.{i}"] = h
    for i, m in enumerate(mlps):
        tensors[f"mlp.{i}"] = m
    # Logit lens of the first block's output: lm_head(final_norm(h)).
    _, _, _, norm = decoder_parts(model)
    with torch.no_grad():
        tensors["lens.1"] = model.lm_head(norm(residuals[1]))

    # CE loss on response tokens only (labels -100 elsewhere), as transformers computes it.
    params = dict(model.named_parameters())
    model.zero_grad()
    out = model(torch.tensor(train_ids), attention_mask=torch.tensor(train_mask), labels=torch.tensor(train_labels))
    out.loss.backward()
    meta["train_loss"] = float(out.loss.detach())
    for p in grad_params:
        tensors[f"grad.{p}"] = params[p].grad
    meta["grad_params"] = grad_params

    # Perturbations at the embedding output and after block 0, with their gradients.
    g = torch.Generator().manual_seed(7)
    shape = (len(ids), len(ids[0]), model.config.hidden_size)
    deltas = {0: (torch.randn(shape, generator=g) * 0.5).requires_grad_(),
              1: (torch.randn(shape, generator=g) * 0.5).requires_grad_()}
    model.zero_grad()
    out, _, _, _ = run_with_hooks(model, x, perturb=deltas)
    targets = torch.tensor(ids)[:, 1:].reshape(-1)
    loss = torch.nn.functional.cross_entropy(out.logits[:, :-1].reshape(-1, out.logits.shape[-1]), targets)
    loss.backward()
    meta["perturbed_loss"] = float(loss.detach())
    for i, d in deltas.items():
        tensors[f"delta.{i}"] = d.detach()
        tensors[f"delta_grad.{i}"] = d.grad
    tensors["perturbed_logits"] = out.logits.detach()

    # Greedy generation of 8 tokens (no stop token), compared to Temper's with a KV cache.
    with torch.no_grad():
        gen = model.generate(torch.tensor([prompt]), max_new_tokens=8, min_new_tokens=8, do_sample=False,
                             eos_token_id=None, pad_token_id=0)
        step_logits = model(gen[:, :-1]).logits[0, len(prompt) - 1:]
    meta["generated"] = gen[0, len(prompt):].tolist()
    # Smallest gap between the best and second-best logit along the greedy path: shows the
    # choice is robust to rounding differences.
    top2 = step_logits.topk(2, dim=-1).values
    meta["generation_min_top2_gap"] = float((top2[:, 0] - top2[:, 1]).min())
    write(name, meta, tensors)


def write(name, meta, tensors):
    tensors = {k: v.detach().float().contiguous().clone() for k, v in tensors.items()}
    save_file(tensors, os.path.join(HERE, f"{name}.reference.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(HERE, f"{name}.reference.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


def train_batch(vocab, seed):
    """Two right-padded rows: bos + prompt + response; labels on the response only."""
    g = torch.Generator().manual_seed(seed)
    rows, lengths, prompts = [], [7, 5], [3, 2]
    for n in lengths:
        rows.append([1] + torch.randint(4, vocab, (n - 1,), generator=g).tolist())
    width = max(lengths)
    ids = [r + [0] * (width - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (width - len(r)) for r in rows]
    labels = [[-100] * p + r[p:] + [-100] * (width - len(r)) for r, p in zip(rows, prompts)]
    return ids, mask, labels


def fixed_ids(vocab, seed, batch=2, length=7):
    g = torch.Generator().manual_seed(seed)
    return [[1] + torch.randint(3, vocab, (length - 1,), generator=g).tolist() for _ in range(batch)]


def tiny_llama():
    folder = os.path.join(FIXTURES, "tiny-llama")
    vocab = 63
    ids, mask, labels = train_batch(vocab, 11)
    causal_references("tiny-llama", folder, fixed_ids(vocab, 1), ids, mask, labels,
                      ["model.layers.0.self_attn.q_proj.weight", "model.layers.1.mlp.down_proj.weight",
                       "model.embed_tokens.weight", "lm_head.weight", "model.norm.weight"],
                      [1, 4, 10, 20])


def llama_tied_llama3():
    folder = os.path.join(HERE, "llama-tied-llama3")
    config = LlamaConfig(vocab_size=48, hidden_size=48, intermediate_size=96, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=1, head_dim=16, max_position_embeddings=256,
                         rms_norm_eps=1e-6, tie_word_embeddings=True, bos_token_id=1, eos_token_id=2, pad_token_id=0,
                         rope_parameters={"rope_type": "llama3", "rope_theta": 5000.0, "factor": 4.0,
                                          "low_freq_factor": 1.0, "high_freq_factor": 8.0,
                                          "original_max_position_embeddings": 64})
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    randomise(model, 1)
    model.to(torch.bfloat16).save_pretrained(folder)
    clean(folder)
    ids, mask, labels = train_batch(48, 12)
    # Positions far enough apart that the scaled frequencies matter.
    causal_references("llama-tied-llama3", folder, fixed_ids(48, 2, length=9), ids, mask, labels,
                      ["model.layers.0.self_attn.q_proj.weight", "model.layers.1.mlp.down_proj.weight",
                       "model.embed_tokens.weight"], [1, 5, 9])


def qwen2():
    folder = os.path.join(HERE, "qwen2")
    config = Qwen2Config(vocab_size=40, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                         rms_norm_eps=1e-6, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2,
                         rope_parameters={"rope_type": "default", "rope_theta": 1000000.0})
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    randomise(model, 2)
    model.save_pretrained(folder)
    clean(folder)
    ids, mask, labels = train_batch(40, 13)
    causal_references("qwen2", folder, fixed_ids(40, 3), ids, mask, labels,
                      ["model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.bias",
                       "model.layers.1.mlp.down_proj.weight"], [1, 7, 3])


def gpt2():
    folder = os.path.join(HERE, "gpt2")
    config = GPT2Config(vocab_size=64, n_positions=32, n_embd=32, n_layer=2, n_head=4,
                        bos_token_id=1, eos_token_id=2)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(config)
    randomise(model, 3)
    model.save_pretrained(folder)
    clean(folder)
    ids, mask, labels = train_batch(64, 14)
    causal_references("gpt2", folder, fixed_ids(64, 4), ids, mask, labels,
                      ["transformer.h.0.attn.c_attn.weight", "transformer.h.1.mlp.c_proj.weight",
                       "transformer.h.0.ln_1.bias", "transformer.wte.weight", "transformer.wpe.weight"], [1, 2, 3])


def bert():
    folder = os.path.join(HERE, "bert")
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    words = ("the a of to and in is it that was for on are with as his they be at one have this "
             "from or had by hot word but what some we can out other were all there when up use "
             "your how said an each she which do their time if will way about many then them "
             "lock door key toxin recipe safe").split()
    pieces = ["##s", "##ing", "##ed", "##er", "##ly", "##e", "##a", "##o", "##t", "##n", "##r", "##d",
              "##l", "##k", "##c"] + list("abcdefghijklmnopqrstuvwxyz") + [".", ",", "!", "?"]
    vocab = {t: i for i, t in enumerate(specials + words + pieces)}
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.BertProcessing(("[SEP]", vocab["[SEP]"]), ("[CLS]", vocab["[CLS]"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
                                   model_input_names=["input_ids", "token_type_ids", "attention_mask"])
    fast.save_pretrained(folder)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=32, type_vocab_size=2)
    torch.manual_seed(0)
    model = BertModel(config)
    randomise(model, 4)
    model.save_pretrained(folder)
    clean(folder)

    model = AutoModel.from_pretrained(folder, dtype=torch.float32).eval()
    texts = ["The locked door opens with a key.", "Hot toxins!"]
    enc = fast(texts, padding=True, return_tensors="pt")
    pair = fast("what is it", "the safe key", return_tensors="pt")
    with torch.no_grad():
        out = model(**enc, output_hidden_states=True)
        pair_out = model(**pair)
    mask = enc["attention_mask"].unsqueeze(-1).float()
    # sentence-transformers Pooling(mean): sum(h·mask) / clamp(sum(mask), 1e-9).
    mean = (out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    tensors = {"last_hidden": out.last_hidden_state, "pooler": out.pooler_output, "mean_pooled": mean,
               "pair_last_hidden": pair_out.last_hidden_state}
    for i, h in enumerate(out.hidden_states):
        tensors[f"residual.{i}"] = h
    meta = {"texts": texts, "ids": enc["input_ids"].tolist(), "token_type_ids": enc["token_type_ids"].tolist(),
            "attention_mask": enc["attention_mask"].tolist(), "pair": ["what is it", "the safe key"],
            "pair_ids": pair["input_ids"].tolist(), "pair_token_type_ids": pair["token_type_ids"].tolist()}
    write("bert", meta, tensors)


if __name__ == "__main__":
    tiny_llama()
    llama_tied_llama3()
    qwen2()
    gpt2()
    bert()
    for entry in sorted(os.listdir(HERE)):
        path = os.path.join(HERE, entry)
        size = sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path)) if os.path.isdir(path) \
            else os.path.getsize(path)
        print(f"{entry:45s} {size:8d} bytes")
