#!/usr/bin/env python3
"""Live check (make interop): `temper convert FOLDER out.gguf --dtype f32` against llama.cpp's own
convert_hf_to_gguf.py on each committed Fixtures/gguf_convert/<case>/ folder plus random weights.

    TEMPER_BIN=.build/release/temper python Fixtures/gguf_convert/check_convert_live.py LLAMA_CPP_SRC [WORK_DIR]

Needs torch, transformers, safetensors (convert_hf_to_gguf's own requirements). For every case
(the checkpoint its weights.json describes, as make_convert_expectations.py builds it): the two
files must be byte-identical; when they are not, every KV pair (type and full value, in order),
the tensor order and every tensor's name, shape, type and bytes are compared to say where.
Exit 0 when all match, 1 otherwise (the differences on stdout).
"""
import os, pathlib, shutil, subprocess, sys

sys.dont_write_bytecode = True
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_convert_expectations as mce  # noqa: E402  (reads the same argv: LLAMA_CPP_SRC [WORK_DIR])

gguf, torch = mce.gguf, mce.torch


def read(path):
    r = gguf.GGUFReader(path)
    kv = [(f.name, [int(t) for t in f.types], f.contents()) for f in r.fields.values() if not f.name.startswith("GGUF.")]
    tensors = {t.name: (list(map(int, t.shape)), t.tensor_type.name, bytes(t.data.tobytes())) for t in r.tensors}
    return kv, tensors


def main() -> int:
    bin_path = os.environ.get("TEMPER_BIN", "temper")
    work = mce.WORK / "live"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    problems = 0
    for name in mce.CASES:
        run = work / name
        shutil.copytree(mce.HERE / name, run, ignore=shutil.ignore_patterns("expected.json", "weights.json"))
        mce.save_weights(mce.json.loads((mce.HERE / name / "weights.json").read_text())["tensors"], run)
        ref, ours = work / f"{name}.convert.gguf", work / f"{name}.temper.gguf"
        subprocess.run([sys.executable, str(mce.SRC / "convert_hf_to_gguf.py"), str(run), "--outtype", "f32", "--outfile", str(ref)],
                       check=True, capture_output=True)
        subprocess.run([bin_path, "convert", str(run), str(ours), "--dtype", "f32"], check=True, capture_output=True)
        (rkv, rt), (okv, ot) = read(ref), read(ours)
        diffs = []
        if ref.read_bytes() != ours.read_bytes():
            diffs.append("files differ")
        if list(rt) != list(ot):
            diffs.append(f"tensor order: convert {list(rt)} ≠ temper {list(ot)}")
        if [k for k, _, _ in rkv] != [k for k, _, _ in okv]:
            diffs.append(f"key order/set differs: convert-only {sorted(set(k for k, _, _ in rkv) - set(k for k, _, _ in okv))}, "
                         f"temper-only {sorted(set(k for k, _, _ in okv) - set(k for k, _, _ in rkv))}")
        theirs = {k: (t, v) for k, t, v in rkv}
        for k, t, v in okv:
            if k in theirs and theirs[k] != (t, v):
                diffs.append(f"{k}: temper {str((t, v))[:120]} ≠ convert {str(theirs[k])[:120]}")
        if set(rt) != set(ot):
            diffs.append(f"tensors: convert-only {sorted(set(rt) - set(ot))}, temper-only {sorted(set(ot) - set(rt))}")
        for n in sorted(set(rt) & set(ot)):
            if rt[n][:2] != ot[n][:2]:
                diffs.append(f"{n}: temper {ot[n][:2]} ≠ convert {rt[n][:2]}")
            elif rt[n][2] != ot[n][2]:
                diffs.append(f"{n}: same shape and type, different bytes")
        print(f"{name}: {len(okv)} keys, {len(ot)} tensors: " + ("identical" if not diffs else f"{len(diffs)} difference(s)"))
        for d in diffs:
            print("   ", d)
        problems += bool(diffs)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
