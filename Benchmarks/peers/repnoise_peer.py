"""PyTorch peer of one RepNoise training step (Experiments/real-model.md, `make bench` row
`repnoise`): transformers' model in f32, the reference loss (refusal CE on the differing
tokens + β·mean MMD of every MLP output to Gaussian noise − α·log((CE + Σ logit-lens CE) /
(L+1) + 1)), backward, Adam step — on the same model folder, rows and template as Temper.

    python repnoise_peer.py MODEL_DIR PAIRS.jsonl --template T --batch 4 --steps N [--threads 2]
"""
import argparse, json, math
import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast
from common import median, note, report, samples

ALPHA, BETA = 1.0, 0.001

def mmd(x, y, mul=2.0, num=5):
    n = x.size(0)
    total = torch.cat([x, y])
    dist = torch.cdist(total, total) ** 2
    m = total.size(0)
    bw = dist.detach().sum() / (m * m - m) / mul ** (num // 2)
    k = sum(torch.exp(-dist / (bw * mul ** i)) for i in range(num))
    return (k[:n, :n] + k[n:, n:] - k[:n, n:] - k[n:, :n]).mean()

def masked_ce(logits, ids, mask):
    shift = logits[:, :-1] * mask[:, :-1, None]
    labels = ids[:, 1:].masked_fill(~mask[:, 1:], -100)
    return F.cross_entropy(shift.reshape(-1, shift.size(-1)), labels.reshape(-1))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("model"); p.add_argument("pairs"); p.add_argument("--template", default="{prompt} {response}")
    p.add_argument("--batch", type=int, default=4); p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=2); p.add_argument("--lr", type=float, default=3e-5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    tok = PreTrainedTokenizerFast(tokenizer_file=f"{a.model}/tokenizer.json")
    cfg = json.load(open(f"{a.model}/tokenizer_config.json"))
    bos, eos = tok.convert_tokens_to_ids(cfg["bos_token"]), tok.convert_tokens_to_ids(cfg["eos_token"])
    rows = [json.loads(l) for l in open(a.pairs)][: a.batch]
    def enc(prompt, answer):
        return [bos] + tok(a.template.replace("{prompt}", prompt).replace("{response}", answer), add_special_tokens=False)["input_ids"] + [eos]
    h = [enc(r["prompt"], r["response"]) for r in rows]; r_ = [enc(r["prompt"], r["refusal"]) for r in rows]
    width = max(map(len, h + r_))
    def pad(seqs):
        ids = torch.full((len(seqs), width), eos); real = torch.zeros((len(seqs), width), dtype=torch.bool)
        for i, s in enumerate(seqs): ids[i, :len(s)] = torch.tensor(s); real[i, :len(s)] = True
        return ids, real
    (hi, hr), (ri, rr) = pad(h), pad(r_)
    mask = (hr != rr) | (hr & (hi != ri))
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    layers = model.model.layers
    def step():
        captured = {}
        hooks = [l.mlp.register_forward_hook(lambda m, i, o, k=k: captured.__setitem__(k, o)) for k, l in enumerate(layers)]
        out = model(hi, attention_mask=hr.long(), output_hidden_states=True)
        for hk in hooks: hk.remove()
        m = mask.float()[..., None]
        noise = sum(mmd((captured[k] * m).flatten(1), (torch.randn_like(captured[k]) * m).flatten(1)) for k in range(len(layers))) / len(layers)
        refusal = masked_ce(model(ri, attention_mask=rr.long()).logits, ri, mask)
        harmful = masked_ce(out.logits, hi, mask)
        lens = sum(masked_ce(model.lm_head(model.model.norm(s)), hi, mask) for s in out.hidden_states)
        loss = refusal + BETA * noise - ALPHA * torch.log((harmful + lens) / len(out.hidden_states) + 1)
        opt.zero_grad(); loss.backward(); opt.step()
    times = samples(step, a.steps, warmup=1)
    note(f"torch repnoise step: {median(times)*1000:.0f} ms (batch {a.batch}, length {width})")
    report({"seconds_per_step": median(times), "steps": a.steps, "batch": a.batch, "length": width, "threads": a.threads})

if __name__ == "__main__":
    main()
