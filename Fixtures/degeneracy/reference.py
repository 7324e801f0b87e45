"""Reference interaction basis for Fixtures/tiny-llama, written from Apollo Research's rib.

Runs the same algorithm as `temper audit degeneracy` in torch (float32 model, float64
statistics) on fixed token sequences and writes `tiny-llama.reference.safetensors` (f64)
plus `tiny-llama.reference.json` (the inputs and settings), `tiny-llama.jacobian.safetensors`
(the "jacobian" basis formula) and `tiny-llama.edges.safetensors` (rib's functional and
squared edges between consecutive node layers in the reference bases). Each step names the rib function
it follows (rib @ 7a6199f: interaction_algos.py, linalg.py, hook_fns.py, data_accumulator.py).

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch numpy safetensors
    /tmp/venv/bin/python Fixtures/degeneracy/reference.py
"""
import json
import os

import numpy as np
import torch
from safetensors.numpy import save_file
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "tiny-llama")
THRESHOLD = 1e-5
N_INTERVALS = 2


def sequences():
    """Fixed pseudo-random ids (numpy seed 0): 10 rows of 8-16 tokens after bos; even rows harmful."""
    rng = np.random.default_rng(0)
    rows = []
    for r in range(10):
        length = int(rng.integers(8, 17))
        ids = [1] + [int(x) for x in rng.integers(3, 63, size=length)]
        rows.append({"ids": ids, "prompt_length": 4, "harmful": r % 2 == 0})
    return rows


class TinyLlama:
    """modeling_llama.py's forward, float32: RMSNorm, rotate_half RoPE, GQA, SwiGLU."""

    def __init__(self, folder):
        self.cfg = json.load(open(os.path.join(folder, "config.json")))
        self.w = load_file(os.path.join(folder, "model.safetensors"))
        c = self.cfg
        self.h, self.layers, self.heads, self.kv = c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"], c["num_key_value_heads"]
        self.hd = c.get("head_dim", self.h // self.heads)
        self.eps = c["rms_norm_eps"]
        self.theta = c["rope_parameters"]["rope_theta"]

    def norm(self, x, w):
        var = x.pow(2).mean(-1, keepdim=True)
        return w * (x * torch.rsqrt(var + self.eps))

    def rope(self, x):
        t = x.shape[1]
        inv = 1.0 / (self.theta ** (torch.arange(0, self.hd, 2, dtype=torch.float32) / self.hd))
        freqs = torch.outer(torch.arange(t, dtype=torch.float32), inv)
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos()[None, :, None, :], emb.sin()[None, :, None, :]
        x1, x2 = x[..., : self.hd // 2], x[..., self.hd // 2:]
        return x * cos + torch.cat([-x2, x1], -1) * sin

    def block(self, l, x):
        p = f"model.layers.{l}."
        w = lambda n: self.w[p + n]
        b, t, _ = x.shape
        y = self.norm(x, w("input_layernorm.weight"))
        q = self.rope((y @ w("self_attn.q_proj.weight").T).view(b, t, self.heads, self.hd))
        k = self.rope((y @ w("self_attn.k_proj.weight").T).view(b, t, self.kv, self.hd))
        v = (y @ w("self_attn.v_proj.weight").T).view(b, t, self.kv, self.hd)
        rep = self.heads // self.kv
        k, v = k.repeat_interleave(rep, 2), v.repeat_interleave(rep, 2)
        att = torch.einsum("bqhd,bkhd->bhqk", q, k) / self.hd ** 0.5
        att = att.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf")).softmax(-1)
        o = torch.einsum("bhqk,bkhd->bqhd", att, v).reshape(b, t, -1) @ w("self_attn.o_proj.weight").T
        hmid = x + o
        y = self.norm(hmid, w("post_attention_layernorm.weight"))
        m = (torch.nn.functional.silu(y @ w("mlp.gate_proj.weight").T) * (y @ w("mlp.up_proj.weight").T)) @ w("mlp.down_proj.weight").T
        return hmid + m

    def head(self, x):
        return self.norm(x, self.w["model.norm.weight"]) @ self.w["lm_head.weight"].T

    def section(self, i):
        """Residual point i → residual i + 1 (block i), or → logits for i = L (rib's sections)."""
        return (lambda x: self.block(i, x)) if i < self.layers else self.head

    def residuals(self, ids):
        x = self.w["model.embed_tokens.weight"][torch.tensor([ids])]
        out = [x]
        for l in range(self.layers):
            x = self.block(l, x)
            out.append(x)
        return out, self.head(x)


def augment(x):
    """Fold the bias in as a constant-1 last coordinate (rib's folded-bias residual stream)."""
    return torch.cat([x, torch.ones(*x.shape[:-1], 1, dtype=x.dtype)], -1)


def eigendecompose(x):
    """linalg.eigendecompose: float64 eigh, |eigenvalues|, sorted descending."""
    vals, vecs = torch.linalg.eigh(x.double())
    vals = vals.abs()
    idx = torch.argsort(vals, descending=True)
    return vals[idx], vecs[:, idx]


def trapezoidal_weights(n):
    """linalg._trapezoidal_weights."""
    if n == 0:
        return np.array([1.0]), np.array([0.5])
    eps = 1e-3 / (n + 1)
    alphas = np.linspace(eps, 1 - eps, n + 1)
    weights = np.ones_like(alphas) / n
    weights[0] /= 2
    weights[-1] /= 2
    return weights, alphas


def integrated_gradient(section, x, c_out, out_has_bias):
    """linalg.calc_basis_integrated_gradient, basis_formula "(1-0)*alpha": the gradient of
    sum(f̂(αx) · f̂(x)) with respect to αx, summed over the trapezoidal points. The bias
    coordinate is not scaled (its gradient is 0)."""
    with torch.no_grad():
        const = section(x)
        const = augment(const) if out_has_bias else const
        f_hat_1_0 = const.double() @ c_out
    grads = torch.zeros(x.shape, dtype=torch.float64)
    for w, a in zip(*trapezoidal_weights(N_INTERVALS)):
        xa = (float(a) * x).detach().requires_grad_(True)
        out = section(xa)
        out = augment(out) if out_has_bias else out
        # The product in float32 as the model runs; the seed f̂(x) C^T is formed in float64.
        seed = (f_hat_1_0 @ c_out.T).float()
        (out * seed).sum().backward()
        grads += float(w) * xa.grad.double()
    return grads


def jacobian_gradients(section, x, c_out, out_has_bias):
    """linalg.calc_basis_jacobian (no stochastic sources): for every output position t and
    direction i of f̂ = [section(αx), 1] C, the gradient with respect to αx, summed over the
    trapezoidal points: [t·i, in_pos, in_hidden]. The bias row of C has no derivative."""
    c_tilde = c_out[: c_out.shape[0] - (1 if out_has_bias else 0)]
    grads = None
    for w, a in zip(*trapezoidal_weights(N_INTERVALS)):
        xa = (float(a) * x).detach()
        j = torch.autograd.functional.jacobian(lambda z: section(z)[0], xa, vectorize=True)[:, :, 0]  # [t, out, s, in]
        jh = torch.einsum("toSj,oi->tiSj", j.double(), c_tilde)
        g = float(w) * jh.reshape(-1, *jh.shape[2:])
        grads = g if grads is None else grads + g
    return grads


def module_hat(section, f_hat, c_pinv, c_out, out_has_bias):
    """linalg.module_hat: f̂ → f = f̂ C⁺ (constant coordinate dropped: blocks take no input
    from it) → the section → [out, 1] (constant not scaled) → f̂' = out C'."""
    out = section((f_hat @ c_pinv)[..., :-1].float())
    out = augment(out) if out_has_bias else out
    return out.double() @ c_out


def edges(section, x, c_in, c_pinv, c_out, out_has_bias):
    """linalg.calc_edge_functional and linalg.calc_edge_squared (no stochastic sources) for one
    row: returns both edge matrices [out, in], not yet divided by the token count."""
    f_hat = augment(x).double() @ c_in
    with torch.no_grad():
        const = module_hat(section, f_hat, c_pinv, c_out, out_has_bias)
    r_out, r_in, t = c_out.shape[1], c_in.shape[1], f_hat.shape[1]
    functional = torch.zeros(r_out, r_in, dtype=torch.float64)
    j_hat = torch.zeros(1, t, r_out, r_in, dtype=torch.float64)
    for w, a in zip(*trapezoidal_weights(N_INTERVALS)):
        fa = (float(a) * f_hat).detach().requires_grad_(True)
        out = module_hat(section, fa, c_pinv, c_out, out_has_bias)
        norm = ((const - out) ** 2).sum(dim=(0, 1))
        for i in range(r_out):
            g = torch.autograd.grad(norm[i], fa, retain_graph=True)[0]
            functional[i] -= float(w) * torch.einsum("bpj,bpj->j", g, f_hat)
            for pos in range(t):
                g = torch.autograd.grad(out[:, pos, i].sum(0), fa, retain_graph=True)[0]
                j_hat[:, pos, i, :] -= float(w) * torch.einsum("bpj,bpj->bj", g, f_hat)
    return functional, (j_hat ** 2).sum(dim=(0, 1))


def one_rotation(gram, m_dash, lambda_dash):
    """interaction_algos._calculate_one_interaction_rotation (no centering, no LN isolation)."""
    d_dash, u_dash = eigendecompose(gram)
    mask = d_dash > THRESHOLD
    d, u = d_dash[mask], u_dash[:, mask]
    r = u @ torch.diag(d.sqrt().reciprocal())
    r_pinv = torch.diag(d.sqrt()) @ u.T
    m = r_pinv @ m_dash @ r_pinv.T
    m_vals, v = eigendecompose(m)
    # The "jacobian" formula has no Λ': Λ is the spectrum of M (interaction_algos).
    lam = m_vals.abs() if lambda_dash is None else (v.T @ r_pinv @ lambda_dash @ r @ v).diag().abs()
    # build_sorted_lambda_matrices
    idx = torch.argsort(lam, descending=True)
    kept = idx[lam[idx] >= THRESHOLD]
    c = r @ v @ torch.diag(lam.sqrt())[:, kept]
    c_pinv = torch.diag(lam.sqrt().reciprocal())[kept, :] @ v.T @ r_pinv
    return dict(gram_spectrum=d_dash, m_spectrum=m_vals, lam=lam[idx], C=c, C_pinv=c_pinv, activation_rank=int(mask.sum()))


def main():
    torch.manual_seed(0)
    model = TinyLlama(MODEL)
    rows = sequences()
    L = model.layers
    acts = [model.residuals(r["ids"]) for r in rows]
    n = sum(len(r["ids"]) for r in rows)
    # Gram matrices: hook_fns.gram_pre_forward_hook_fn / linalg.calc_gram_matrix, normalized by tokens.
    grams = {}
    for i in range(L + 1):
        g = torch.zeros(model.h + 1, model.h + 1, dtype=torch.float64)
        for res, _ in acts:
            a = augment(res[i][0]).double()
            g += a.T @ a
        grams[f"residual.{i}"] = g / n
    g = torch.zeros(model.cfg["vocab_size"], model.cfg["vocab_size"], dtype=torch.float64)
    for _, logits in acts:
        a = logits[0].double()
        g += a.T @ a
    grams["logits"] = g / n

    out = {}
    # The output node layer: the "svd" basis (rotate_final_node_layer).
    d, u = eigendecompose(grams["logits"])
    mask = d > THRESHOLD
    c_next, next_has_bias = u[:, mask], False
    out["logits.gram"], out["logits.gram_spectrum"], out["logits.C"] = grams["logits"], d, c_next
    for i in range(L, -1, -1):
        name = f"residual.{i}"
        section = model.section(i)
        m_dash = torch.zeros(model.h + 1, model.h + 1, dtype=torch.float64)
        lambda_dash = torch.zeros_like(m_dash)
        for res, _ in acts:
            x = res[i].detach()
            gr = integrated_gradient(section, x, c_next, next_has_bias)[0]
            g_aug = torch.cat([gr, torch.zeros(gr.shape[0], 1, dtype=torch.float64)], -1)
            f_aug = augment(x[0]).double()
            # hook_fns.M_dash_and_Lambda_dash_pre_forward_hook_fn: einsum over tokens, / tokens.
            m_dash += g_aug.T @ g_aug
            lambda_dash += g_aug.T @ f_aug
        m_dash, lambda_dash = m_dash / n, lambda_dash / n
        rot = one_rotation(grams[name], m_dash, lambda_dash)
        out[f"{name}.gram"], out[f"{name}.m_dash"], out[f"{name}.lambda_dash"] = grams[name], m_dash, lambda_dash
        out[f"{name}.gram_spectrum"], out[f"{name}.m_spectrum"], out[f"{name}.lambda"] = rot["gram_spectrum"], rot["m_spectrum"], rot["lam"]
        out[f"{name}.C"], out[f"{name}.C_pinv"] = rot["C"], rot["C_pinv"]
        print(name, "activation rank", rot["activation_rank"], "interaction rank", rot["C"].shape[1])
        c_next, next_has_bias = rot["C"], True

    save_file({k: v.detach().double().contiguous().numpy() for k, v in out.items()}, os.path.join(HERE, "tiny-llama.reference.safetensors"))

    # Edges between consecutive node layers in the bases above (rib's "functional" and "squared").
    edge_out = {}
    for i in range(L + 1):
        name, next_name = f"residual.{i}", (f"residual.{i + 1}" if i < L else "logits")
        c_in, c_pinv, c_out = out[f"{name}.C"], out[f"{name}.C_pinv"], out[f"{next_name}.C"]
        fun = torch.zeros(c_out.shape[1], c_in.shape[1], dtype=torch.float64)
        sq = torch.zeros_like(fun)
        for res, _ in acts:
            a, b = edges(model.section(i), res[i].detach(), c_in, c_pinv, c_out, i < L)
            fun, sq = fun + a, sq + b
        edge_out[f"{name}.functional"], edge_out[f"{name}.squared"] = fun / n, sq / n
        print("edges", name, "->", next_name, tuple(fun.shape))
    save_file({k: v.detach().double().contiguous().numpy() for k, v in edge_out.items()}, os.path.join(HERE, "tiny-llama.edges.safetensors"))

    # basis_formula "jacobian" (LIB), exact (no stochastic sources), same rows and thresholds.
    jac = {}
    c_next, next_has_bias = out["logits.C"], False
    for i in range(L, -1, -1):
        name = f"residual.{i}"
        m_dash = torch.zeros(model.h + 1, model.h + 1, dtype=torch.float64)
        for res, _ in acts:
            g = jacobian_gradients(model.section(i), res[i].detach(), c_next, next_has_bias)
            g = torch.cat([g, torch.zeros(*g.shape[:2], 1, dtype=torch.float64)], -1)
            # hook_fns: einsum "r batch s j, r batch s jprime -> j jprime", / (in_pos · dataset).
            m_dash += torch.einsum("rsj,rsk->jk", g, g)
        m_dash = m_dash / n
        rot = one_rotation(grams[name], m_dash, None)
        jac[f"{name}.m_dash"], jac[f"{name}.lambda"], jac[f"{name}.C"] = m_dash, rot["lam"], rot["C"]
        print("jacobian", name, "interaction rank", rot["C"].shape[1])
        c_next, next_has_bias = rot["C"], True
    save_file({k: v.detach().double().contiguous().numpy() for k, v in jac.items()}, os.path.join(HERE, "tiny-llama.jacobian.safetensors"))
    settings = {"threshold": THRESHOLD, "intervals": N_INTERVALS, "tokens": n, "rows": rows,
                "made_by": "Fixtures/degeneracy/reference.py", "torch": torch.__version__}
    json.dump(settings, open(os.path.join(HERE, "tiny-llama.reference.json"), "w"), indent=1)
    # Sanity: the model reproduces the committed transformers logits.
    ref = json.load(open(os.path.join(HERE, "..", "tiny-llama.logits.json")))
    _, logits = model.residuals(ref["ids"])
    err = float((logits[0] - torch.tensor(ref["logits"])).abs().max())
    print("max |logits − transformers| =", err)
    assert err < 1e-4


if __name__ == "__main__":
    main()
