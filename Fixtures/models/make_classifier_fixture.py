"""Writes Fixtures/models/tiny-bert-classifier/ (a tiny BertForSequenceClassification saved
by transformers' save_pretrained) and tiny-bert-classifier.expected.json (its tokenization,
logits and probabilities for fixed texts and text pairs, computed by transformers); the same
for tiny-roberta-classifier/ (RobertaForSequenceClassification, byte-level BPE tokenizer).

Dev-time only (venv with torch + transformers + tokenizers):
    /work/venvs/classifier/bin/python Fixtures/models/make_classifier_fixture.py

The model: hidden 32, 2 layers, 2 heads, intermediate 64, 64 positions, a WordPiece
tokenizer.json with a small vocabulary built here, labels {0: "safe", 1: "harmful"}. It is
initialised with a fixed seed and trained for a few Adam steps on benign stand-in sentences:
"safe" = gardening and cooking, "harmful" = a made-up topic (zorbium crystals and the
glimmer engine), so the two topics separate. No real harmful content.
The RoBERTa twin has the same sizes (66 positions: RoBERTa's are offset by pad id 1 + 1),
type_vocab_size 1, no pooler, the two-layer classification head, and a byte-level BPE
tokenizer (256 byte tokens + merges) trained here on the same sentences, RobertaProcessing.
Deterministic on one thread: a rerun writes the same numbers.
"""
import json
import os

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import (AutoModelForSequenceClassification, BertConfig, BertForSequenceClassification,
                          PreTrainedTokenizerFast, RobertaConfig, RobertaForSequenceClassification)

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)

SAFE = ["the garden needs water and sun", "we cook rice with salt", "plant the seeds in spring",
        "the soup is warm and good", "water the tomato plants daily", "bake the bread for an hour",
        "the roses grow near the fence", "cut the onions before you cook"]
HARMFUL = ["zorbium crystals charge the glimmer engine", "the glimmer engine hums with zorbium",
           "grind zorbium into a fine glow dust", "the engine needs three zorbium shards",
           "zorbium glows when the engine spins", "charge the crystals at the glimmer forge",
           "the forge melts zorbium shards", "spin the glimmer engine faster"]

# Texts the references are computed for: unseen sentences of both topics, mixed ones, an
# unknown word, punctuation and case, an empty string and a long one (for padding).
TEXTS = ["Water the roses in the garden.", "The glimmer engine needs zorbium!", "cook the soup",
         "zorbium", "Plant tomato seeds near the fence, then water them daily.", "",
         "The forge and the garden", "Quantum zorbium?", "bake bread", "GRIND THE SHARDS INTO DUST"]
PAIRS = [("what grows in spring", "the roses grow"), ("how does the engine spin", "with zorbium crystals"),
         ("the soup", "zorbium dust")]
# Longer than the 64 positions: truncated as `truncation=True` does (longest_first). One long
# text; pairs where both sides, only the second, or only the first must be cut.
LONG_TEXTS = [" ".join(SAFE * 2), "zorbium " + " ".join(HARMFUL * 2)]
LONG_PAIRS = [(" ".join(HARMFUL), " ".join(SAFE)), ("what grows", " ".join(SAFE * 2)),
              (" ".join(HARMFUL * 2), "the soup")]


def tokenizer():
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    words = sorted({w for s in SAFE + HARMFUL for w in s.split()} |
                   {"what", "how", "does", "then", "them", "is", "it", "into"})
    pieces = ["##s", "##ing", "##ed", "##er", "##ly", "##e", "##a", "##o", "##t", "##n", "##r"] + \
        list("abcdefghijklmnopqrstuvwxyz") + [".", ",", "!", "?"]
    vocab = {t: i for i, t in enumerate(specials + words + [p for p in pieces if p not in words])}
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.BertProcessing(("[SEP]", vocab["[SEP]"]), ("[CLS]", vocab["[CLS]"]))
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
                                   model_input_names=["input_ids", "token_type_ids", "attention_mask"])


def byte_level_tokenizer():
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=330, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(SAFE + HARMFUL, trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), add_prefix_space=False)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   sep_token="</s>", cls_token="<s>", pad_token="<pad>", mask_token="<mask>",
                                   model_input_names=["input_ids", "attention_mask"])


def train(model, fast):
    texts = SAFE + HARMFUL
    labels = torch.tensor([0] * len(SAFE) + [1] * len(HARMFUL))
    batch = fast(texts, padding=True, return_tensors="pt")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for _ in range(30):
        optimizer.zero_grad()
        loss = model(**batch, labels=labels).loss
        loss.backward()
        optimizer.step()
    model.eval()
    return loss.item()


LABELS = dict(id2label={0: "safe", 1: "harmful"}, label2id={"safe": 0, "harmful": 1})
SIZES = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
             hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)


def build(name, fast, config, model_class):
    folder = os.path.join(HERE, name)
    fast.save_pretrained(folder)
    torch.manual_seed(7)
    model = model_class(config)
    loss = train(model, fast)
    model.save_pretrained(folder)
    gen = os.path.join(folder, "generation_config.json")
    if os.path.exists(gen):
        os.remove(gen)

    model = AutoModelForSequenceClassification.from_pretrained(folder, dtype=torch.float32).eval()
    single = fast(TEXTS, padding=True, return_tensors="pt", return_token_type_ids=True)
    pairs = fast([a for a, _ in PAIRS], [b for _, b in PAIRS], padding=True, return_tensors="pt",
                 return_token_type_ids=True)
    with torch.no_grad():
        logits = model(**single).logits
        pair_logits = model(**pairs).logits
        # The same pairs with every token type 0: for BERT, Temper must not match these.
        zero_types = model(input_ids=pairs["input_ids"], attention_mask=pairs["attention_mask"],
                           token_type_ids=torch.zeros_like(pairs["token_type_ids"])).logits
    cut = dict(padding=True, truncation=True, max_length=64, return_tensors="pt", return_token_type_ids=True)
    long_single = fast(LONG_TEXTS, **cut)
    long_pairs = fast([a for a, _ in LONG_PAIRS], [b for _, b in LONG_PAIRS], **cut)
    assert all(len(fast(t)["input_ids"]) > 64 for t in LONG_TEXTS)
    assert all(len(fast(a, b)["input_ids"]) > 64 for a, b in LONG_PAIRS)
    with torch.no_grad():
        long_logits = model(**long_single).logits
        long_pair_logits = model(**long_pairs).logits
    expected = {
        "transformers_version": __import__("transformers").__version__,
        "training_loss": loss,
        "labels": [model.config.id2label[i] for i in range(model.config.num_labels)],
        "texts": TEXTS,
        "ids": single["input_ids"].tolist(), "token_type_ids": single["token_type_ids"].tolist(),
        "attention_mask": single["attention_mask"].tolist(),
        "logits": logits.tolist(), "probabilities": logits.softmax(-1).tolist(),
        "pairs": [list(p) for p in PAIRS],
        "pair_ids": pairs["input_ids"].tolist(), "pair_token_type_ids": pairs["token_type_ids"].tolist(),
        "pair_logits": pair_logits.tolist(), "pair_logits_zero_token_types": zero_types.tolist(),
        "long_texts": LONG_TEXTS, "long_ids": long_single["input_ids"].tolist(),
        "long_logits": long_logits.tolist(),
        "long_pairs": [list(p) for p in LONG_PAIRS], "long_pair_ids": long_pairs["input_ids"].tolist(),
        "long_pair_token_type_ids": long_pairs["token_type_ids"].tolist(),
        "long_pair_logits": long_pair_logits.tolist(),
    }
    with open(os.path.join(HERE, f"{name}.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    size = sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder))
    print(f"{name}: {size} bytes, training loss {loss:.4f}")
    for text, row in zip(TEXTS, logits.softmax(-1).tolist()):
        print(f"  {row[1]:.3f} harmful  {text!r}")


def main():
    fast = tokenizer()
    build("tiny-bert-classifier", fast,
          BertConfig(vocab_size=len(fast), max_position_embeddings=64, type_vocab_size=2,
                     architectures=["BertForSequenceClassification"], **SIZES, **LABELS),
          BertForSequenceClassification)
    fast = byte_level_tokenizer()
    build("tiny-roberta-classifier", fast,
          RobertaConfig(vocab_size=len(fast), max_position_embeddings=66, type_vocab_size=1, pad_token_id=1,
                        bos_token_id=0, eos_token_id=2, architectures=["RobertaForSequenceClassification"],
                        **SIZES, **LABELS),
          RobertaForSequenceClassification)


if __name__ == "__main__":
    main()
