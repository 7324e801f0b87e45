#!/usr/bin/env python3
"""Tokenizers whose pre-tokenizer is a regular-expression `Split` (Llama 3, Qwen2, GPT-4o
patterns, as those models' tokenizer.json files write them) and their golden encodings.

    /work/venvs/lead/bin/python Fixtures/text/make_split_regex_fixtures.py

Trains small byte-level BPEs on make_tokenizer_fixtures.TRAINING_LINES behind each pattern,
saves them as tokenizer.json files, and encodes make_tokenizer_fixtures.CORPUS plus
convert_hf_to_gguf's check string (Fixtures/text/chktxt.txt, written by
Fixtures/formats/make_gguf_pre_table.py) with the Hugging Face `tokenizers` library into
split_regex_expected.json (same layout as expected.json). Deterministic.
"""
import json
import os
import sys

import tokenizers
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_tokenizer_fixtures as base  # noqa: E402

LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
GPT4O = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
         r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
         r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")

CHKTXT = open(os.path.join(HERE, "chktxt.txt"), encoding="utf-8").read()
CORPUS = base.CORPUS + [CHKTXT, CHKTXT.upper(), "I'VE 'Ll 'rE x'S", "12345678901 ¹²³ ٣٤٥ Ⅻ", "ǅungla ǈ Ǳ ß ﬃ"]


def byte_level_bpe(pre, normalizer=None, specials=(), ignore_merges=False, vocab_size=900):
    """Trains a byte-level BPE behind `pre`, then rebuilds it from its vocab and merges."""
    tok = Tokenizer(models.BPE())
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    tok.train_from_iterator(base.TRAINING_LINES, trainers.BpeTrainer(
        vocab_size=vocab_size, min_frequency=2, special_tokens=list(specials), show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    data = json.loads(tok.to_str())
    vocab = data["model"]["vocab"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in data["model"]["merges"]]
    out = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=ignore_merges))
    if normalizer is not None:
        out.normalizer = normalizer
    out.pre_tokenizer = pre
    out.decoder = decoders.ByteLevel()
    out.add_special_tokens([AddedToken(t, normalized=False) for t in specials])
    return out


def split_then_bytes(pattern, **kw):
    return pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])


def llama3():
    """Llama 3: the regex Split, ByteLevel without its own regex, ignore_merges, BOS added."""
    tok = byte_level_bpe(split_then_bytes(LLAMA3), specials=["<|begin_of_text|>", "<|end_of_text|>"], ignore_merges=True)
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|>:1 $B:1",
                                      special_tokens=[("<|begin_of_text|>", bos)])])
    return base.save(tok, "llama3_split")


def qwen2():
    """Qwen2: NFC, the regex Split with single digits, ByteLevel, no BOS."""
    tok = byte_level_bpe(split_then_bytes(QWEN2), normalizer=normalizers.NFC(),
                         specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    return base.save(tok, "qwen2_split")


def gpt4o():
    """GPT-4o (o200k): case-aware letter classes, marks, `/` after punctuation."""
    tok = byte_level_bpe(split_then_bytes(GPT4O), specials=["<|endoftext|>"])
    return base.save(tok, "gpt4o_split")


def regex_behaviors():
    """Regex Splits with every delimiter behaviour and `invert`, in front of WordPiece."""
    data = json.loads(Tokenizer.from_file(os.path.join(HERE, "bert_cased.json")).to_str())
    tok = Tokenizer(models.WordPiece(vocab=data["model"]["vocab"], unk_token="[UNK]", max_input_chars_per_word=30))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\s+"), behavior="removed"),
        pre_tokenizers.Split(Regex(r"\p{N}{1,2}"), behavior="isolated"),
        pre_tokenizers.Split(Regex(r"[.,;:!?]+"), behavior="merged_with_previous"),
        pre_tokenizers.Split(Regex(r"[-_/]"), behavior="merged_with_next"),
        pre_tokenizers.Split(Regex(r"[$%&*]"), behavior="contiguous"),
        pre_tokenizers.Split(Regex(r"\p{L}+"), behavior="isolated", invert=True)])
    tok.add_special_tokens([AddedToken(t, normalized=False) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]])
    return base.save(tok, "regex_behaviors")


def main():
    base.CORPUS[:] = CORPUS
    out = {"tokenizers_version": tokenizers.__version__, "tokenizers": {}}
    for build, name in [(llama3, "llama3_split"), (qwen2, "qwen2_split"), (gpt4o, "gpt4o_split"),
                        (regex_behaviors, "regex_behaviors")]:
        out["tokenizers"][name] = base.expectations(build())
    path = os.path.join(HERE, "split_regex_expected.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")
    os.replace(path + ".tmp", path)
    print(f"wrote {len(out['tokenizers'])} tokenizers, {len(CORPUS)} lines each", file=sys.stderr)


if __name__ == "__main__":
    main()
