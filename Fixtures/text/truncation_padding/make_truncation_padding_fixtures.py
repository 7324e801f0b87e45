"""tokenizer.json files with `truncation` / `padding` set, and what `tokenizers` encodes with them.

Usage: python Fixtures/text/truncation_padding/make_truncation_padding_fixtures.py
Starts from the committed Fixtures/text/bert_uncased.json (BertProcessing) and
roberta_bpe.json (RobertaProcessing), enables each setting with the `tokenizers` API, saves
the tokenizer as NAME.json and records encode / encode(pair) / encode_batch outputs (ids,
type ids, attention mask) in expected.json.
"""
import json
import pathlib

from tokenizers import Tokenizer

HERE = pathlib.Path(__file__).resolve().parent
TEXT = HERE.parent

SETTINGS = [
    ("bert_trunc_right", "bert_uncased", dict(truncation=dict(max_length=8)), None),
    ("bert_trunc_left", "bert_uncased", dict(truncation=dict(max_length=7, direction="left")), None),
    ("bert_trunc_stride", "bert_uncased", dict(truncation=dict(max_length=9, stride=2)), None),
    ("bert_only_first", "bert_uncased", dict(truncation=dict(max_length=10, strategy="only_first")), None),
    ("bert_only_second", "bert_uncased", dict(truncation=dict(max_length=10, strategy="only_second")), None),
    ("bert_fixed_pad", "bert_uncased", dict(truncation=dict(max_length=16), padding=dict(length=16, pad_id=0, pad_token="[PAD]")), None),
    ("bert_batch_longest", "bert_uncased", dict(padding=dict(pad_id=0, pad_type_id=1, pad_token="[PAD]")), None),
    ("bert_pad_multiple_left", "bert_uncased", dict(padding=dict(direction="left", pad_to_multiple_of=8, pad_id=0, pad_token="[PAD]")), None),
    ("roberta_trunc_pad", "roberta_bpe", dict(truncation=dict(max_length=6), padding=dict(length=9, pad_id=1, pad_token="<pad>")), None),
]

SINGLES = ["hello world", "The quick brown fox jumps over the lazy dog again and again.", "", "Grüße aus Zürich, naïve café!"]
PAIRS = [("short one", "a much longer second sequence with many more words in it"),
         ("a fairly long first sequence that has quite a few words", "tiny"),
         ("equal length words here", "equal length words there")]


def record(e):
    return {"ids": e.ids, "type_ids": e.type_ids, "attention_mask": e.attention_mask}


def main() -> None:
    expected = {}
    for name, base, options, _ in SETTINGS:
        tok = Tokenizer.from_file(str(TEXT / f"{base}.json"))
        if "truncation" in options:
            tok.enable_truncation(**options["truncation"])
        if "padding" in options:
            tok.enable_padding(**options["padding"])
        tok.save(str(HERE / f"{name}.json"))
        cases = {"single": [], "pair": [], "batch": None}
        for text in SINGLES:
            try:
                cases["single"].append(record(tok.encode(text)))
            except Exception as error:
                cases["single"].append({"error": str(error)})
        for a, b in PAIRS:
            try:
                cases["pair"].append(record(tok.encode(a, b)))
            except Exception as error:
                cases["pair"].append({"error": str(error)})
        try:
            cases["batch"] = [record(e) for e in tok.encode_batch(SINGLES)]
        except Exception as error:
            cases["batch"] = {"error": str(error)}
        expected[name] = cases
    doc = {"singles": SINGLES, "pairs": PAIRS, "tokenizers": expected}
    (HERE / "expected.json").write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
