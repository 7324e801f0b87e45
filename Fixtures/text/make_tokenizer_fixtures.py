#!/usr/bin/env python3
"""Builds the small tokenizers and golden encodings used by Tests/TemperTextTests.

Run with the dev-time venv (no network needed):
    ~/.venvs/temper-fixtures/bin/python Fixtures/text/make_tokenizer_fixtures.py

Every tokenizer is trained or assembled here from the inline texts below, saved as a
Hugging Face `tokenizer.json`, and then used to encode CORPUS; the ids (with and without
special tokens), pair encodings and decodes are written to expected.json.
"""
import json
import os
import sys

import tokenizers
from tokenizers import (AddedToken, Tokenizer, decoders, models, normalizers,
                        pre_tokenizers, processors, trainers)
from tokenizers.implementations import BertWordPieceTokenizer, ByteLevelBPETokenizer

HERE = os.path.dirname(os.path.abspath(__file__))

TRAINING_TEXT = """
The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs away.
Tokenizers split text into pieces that a model can read. A piece may be a word,
part of a word, a single character or even a single byte. Byte pairs are merged by rank.
Numbers such as 12345, 3.14159 and 2024-06-01 appear in text, and so do prices: $19.99.
Don't worry, I'm sure we'll find what they've hidden; she'd say it's where you're looking.
Café, naïve, résumé, façade and crème brûlée are French words with accents.
Ångström and Straße and São Paulo and Zürich are names with marks.
你好，世界！ 日本語のテキストです。 한국어 텍스트입니다. 中文分词很有趣。
Γειά σου κόσμε. Привет, мир! Σίσυφος ΟΔΥΣΣΕΥΣ. مرحبا بالعالم. שלום עולם.
Emoji are fun 😀 👍 ❤️ and so are symbols like ∑ ≤ ∞ √ ≈ ½.
def tokenize(text): return [piece for piece in text.split()]  # code is text too
https://example.com/path?query=1&other=two#fragment
Machine learning models learn from data. Safety training teaches a model to refuse.
The model reads the prompt and writes the response, one token after another.
Reading, writing, learning, training, tokenizing, merging, splitting, encoding, decoding.
"""
TRAINING_LINES = [line for line in TRAINING_TEXT.strip().split("\n")] * 3

LONG_WORD = "supercalifragilistic" * 6  # 120 characters: beyond max_input_chars_per_word

CORPUS = [
    "",
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "  leading and trailing spaces  ",
    "multiple    spaces\tand\ttabs\nnew\nlines\r\nwindows",
    "Numbers: 12345 3.14159 -42 1,000,000 and 2024-06-01 $19.99",
    "Contractions: don't, I'm, we'll, they've, she'd, it's, you're; DON'T SHOUT",
    "'s 'S 'll 'LL 're 've 'm 'd 't x's",
    "Accents: café, naïve, résumé, Ångström, façade, Crème brûlée, Straße",
    "Decomposed: cafe\u0301 nai\u0308ve",
    "CJK: 你好，世界！ 日本語のテキスト 한국어 텍스트 中文分词",
    "Emoji: 😀 👍🏽 👨‍👩‍👧 ❤️ 🇫🇷 🙂🙂",
    "Punctuation!!! ... ??? (parens) [brackets] {braces} <angle> @#$%^&*_+=|\\/~`",
    "Specials: <bos> hello <eos> [CLS] x [SEP] <s> y </s> <|endoftext|> [MASK] <pad>",
    "hello<eos>world<bos>again",
    "<bos><bos>",
    "<s>Start with special",
    "Mixed\u00a0nbsp and\u2003em space and\u3000ideographic",
    "Control\u0007chars\u200band zero\u00adwidth",
    "A very long word: " + LONG_WORD,
    "ALL CAPS AND lowercase AND MiXeD cAsE",
    "Greek: Σίσυφος ΟΔΥΣΣΕΥΣ; Cyrillic: Привет мир; Arabic: مرحبا بالعالم; Hebrew: שלום",
    "Math: ∑ x² ≤ ∞, √2 ≈ 1.414, ½ ¾, ①②",
    "\tTab at start",
    "\n\nnewlines first",
    "trailing newline\n",
    "   ",
    "\t",
    " a",
    "a  b   c    d",
    "Code: def f(x): return x**2  # comment",
    "URL: https://example.com/path?q=1&r=two#frag",
    "İstanbul ﬁ ligature ＦＵＬＬＷＩＤＴＨ",
    "NEW-TOKEN and new-token and New-Token-ish",
    "hellos say hello, ohello hello_ hello",
    "[INST]  do it   [/INST] done[INST]x",
    "the the the the the tokenizer tokenizer tokenizers",
    "Unknown glyphs: ☃ ♞ ⌘ ✈ 🦄 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "The model reads the prompt and writes the response, one token after another.",
]


def random_lines(count, seed=20240601):
    """Seeded random strings from a pool of awkward pieces (whitespace variants, quotes,
    digits, accents, combining marks, CJK, emoji, fragments of special tokens)."""
    import random
    rng = random.Random(seed)
    pool = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            + list(" " * 12) + ["\t", "\n", "\r\n", "  ", "\u00a0", "\u3000"]
            + list("'\"!?.,;:-_()[]{}<>/\\|@#$%^&*+=~`")
            + ["'s", "'ll", "'t", "'re", "n't", "é", "ü", "ñ", "ç", "Å", "ß", "e\u0301", "\u0308",
               "你", "好", "世", "界", "の", "テ", "한", "국", "😀", "👍", "❤️", "🇫🇷", "\u200d",
               "<s>", "</s>", "<bos>", "<eos>", "[CLS]", "[SEP]", "<|endoftext|>", "<mask>", "<0x41>",
               "▁", "Ġ", "##", "the", "The", " token", "ing", "izer", "model", "12", "3.5"])
    lines = []
    for _ in range(count):
        n = rng.randint(1, 40)
        lines.append("".join(rng.choice(pool) for _ in range(n)))
    return lines


CORPUS += TRAINING_LINES[:15] + random_lines(45)

PAIRS = [
    ("Hello world", "How are you?"),
    ("The quick brown fox", ""),
    ("café", "naïve résumé"),
]


def save(tok, name):
    path = os.path.join(HERE, name + ".json")
    tok.save(path, pretty=False)
    return Tokenizer.from_file(path)  # reload: the file is what the tests read


def word_level():
    """The fixture world's tokenizer shape: WordLevel + Whitespace, <pad> <bos> <eos> <unk>."""
    specials = ["<pad>", "<bos>", "<eos>", "<unk>"]
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(TRAINING_LINES, trainers.WordLevelTrainer(
        vocab_size=400, min_frequency=1, special_tokens=specials, show_progress=False))
    tok.post_processor = processors.TemplateProcessing(
        single="<bos> $A <eos>", pair="<bos> $A <eos> $B:1 <eos>:1",
        special_tokens=[(t, tok.token_to_id(t)) for t in ["<bos>", "<eos>"]])
    return save(tok, "wordlevel")


def word_level_split():
    """WordLevel + WhitespaceSplit + Lowercase, no post-processor."""
    specials = ["<pad>", "<bos>", "<eos>", "<unk>"]
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.train_from_iterator(TRAINING_LINES, trainers.WordLevelTrainer(
        vocab_size=300, min_frequency=1, special_tokens=specials, show_progress=False))
    return save(tok, "wordlevel_split")


def bert_uncased():
    """BERT WordPiece: BertNormalizer (lowercase, strip accents), BertProcessing."""
    tok = BertWordPieceTokenizer(lowercase=True)
    tok.train_from_iterator(TRAINING_LINES, vocab_size=600, min_frequency=1,
                            limit_alphabet=200, show_progress=False)
    inner = tok._tokenizer
    inner.post_processor = processors.BertProcessing(
        ("[SEP]", inner.token_to_id("[SEP]")), ("[CLS]", inner.token_to_id("[CLS]")))
    # A normalized, non-special added token: matched after lowercasing.
    inner.add_tokens([AddedToken("New-Token", normalized=True)])
    return save(inner, "bert_uncased")


def bert_cased():
    """Cased WordPiece with TemplateProcessing (as transformers converts BERT)."""
    tok = BertWordPieceTokenizer(lowercase=False, strip_accents=False, clean_text=True,
                                 handle_chinese_chars=True)
    tok.train_from_iterator(TRAINING_LINES, vocab_size=700, min_frequency=1,
                            limit_alphabet=150, show_progress=False)
    inner = tok._tokenizer
    cls, sep = inner.token_to_id("[CLS]"), inner.token_to_id("[SEP]")
    inner.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    inner.model.max_input_chars_per_word = 40
    return save(inner, "bert_cased")


def gpt2():
    """GPT-2 byte-level BPE: ByteLevel pre-tokenizer/decoder, <|endoftext|>."""
    tok = ByteLevelBPETokenizer(add_prefix_space=False)
    tok.train_from_iterator(TRAINING_LINES, vocab_size=800, min_frequency=2,
                            special_tokens=["<|endoftext|>"], show_progress=False)
    inner = tok._tokenizer
    # single_word: only matched when not inside a word.
    inner.add_tokens([AddedToken("hello", single_word=True, normalized=False)])
    return save(inner, "gpt2_bpe")


def roberta():
    """Byte-level BPE with add_prefix_space and RobertaProcessing <s> … </s>."""
    tok = ByteLevelBPETokenizer(add_prefix_space=True)
    tok.train_from_iterator(TRAINING_LINES, vocab_size=700, min_frequency=2,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
                            show_progress=False)
    inner = tok._tokenizer
    inner.post_processor = processors.RobertaProcessing(
        ("</s>", inner.token_to_id("</s>")), ("<s>", inner.token_to_id("<s>")))
    # <mask> strips the space on its left, as RoBERTa's does.
    inner.add_special_tokens([AddedToken("<mask>", lstrip=True, normalized=False)])
    return save(inner, "roberta_bpe")


def trained_sentencepiece_pieces(vocab_size, limit_alphabet):
    """Trains ▁-word BPE pieces; returns (pieces in id order, merges)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.train_from_iterator(TRAINING_LINES, trainers.BpeTrainer(
        vocab_size=vocab_size, min_frequency=2, limit_alphabet=limit_alphabet,
        show_progress=False))
    data = json.loads(tok.to_str())
    vocab = data["model"]["vocab"]
    pieces = sorted(vocab, key=vocab.get)
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in data["model"]["merges"]]
    return pieces, merges


def llama2():
    """Llama-2 style: Prepend+Replace normalizer, BPE with byte fallback, fused unk."""
    pieces, merges = trained_sentencepiece_pieces(500, 60)
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab["<0x%02X>" % b] = len(vocab)
    for p in pieces:
        if p not in vocab:
            vocab[p] = len(vocab)
    model = models.BPE(vocab=vocab, merges=merges, unk_token="<unk>",
                       byte_fallback=True, fuse_unk=True)
    tok = Tokenizer(model)
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(),
                                     decoders.Fuse(), decoders.Strip(content=" ", left=1, right=0)])
    tok.add_special_tokens([AddedToken(t, normalized=False) for t in ["<unk>", "<s>", "</s>"]])
    tok.add_special_tokens([AddedToken("[INST]", rstrip=True, normalized=False),
                            AddedToken("[/INST]", lstrip=True, normalized=False)])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s>:1 $B:1", special_tokens=[("<s>", 1)])
    return save(tok, "llama2_bpe")


def llama_metaspace():
    """SentencePiece BPE via Metaspace(prepend_scheme=first, split=false), no byte
    fallback so unknown characters become one fused <unk>; <s> … </s> added."""
    pieces, merges = trained_sentencepiece_pieces(450, 50)
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for p in pieces:
        if p not in vocab:
            vocab[p] = len(vocab)
    model = models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True)
    tok = Tokenizer(model)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    tok.add_special_tokens([AddedToken(t, normalized=False) for t in ["<unk>", "<s>", "</s>"]])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1",
        special_tokens=[("<s>", 1), ("</s>", 2)])
    return save(tok, "llama_metaspace")


def char_bpe():
    """BPE with an end-of-word suffix (`</w>`), NFKC + Lowercase + Strip normalizers, a
    pre-tokenizer Sequence (WhitespaceSplit, Punctuation contiguous, Digits individual) and
    the BPEDecoder."""
    from tokenizers.implementations import CharBPETokenizer
    tok = CharBPETokenizer(suffix="</w>", unicode_normalizer="nfkc", lowercase=True)
    tok.train_from_iterator(TRAINING_LINES, vocab_size=600, min_frequency=2,
                            special_tokens=["<unk>"], show_progress=False)
    inner = tok._tokenizer
    inner.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Strip(left=True, right=False),
                                             normalizers.Lowercase()])
    inner.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior="contiguous"),
        pre_tokenizers.Digits(individual_digits=True)])
    return save(inner, "char_bpe")


def wordpiece_misc():
    """The cased WordPiece vocabulary behind other components: NFD + StripAccents + NFC +
    Replace normalizers; Split (string pattern) / CharDelimiterSplit / Punctuation
    (merged_with_previous) pre-tokenizers; no decoder (tokens joined by spaces)."""
    data = json.loads(Tokenizer.from_file(os.path.join(HERE, "bert_cased.json")).to_str())
    vocab = data["model"]["vocab"]
    model = models.WordPiece(vocab=vocab, unk_token="[UNK]", max_input_chars_per_word=30)
    tok = Tokenizer(model)
    tok.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents(), normalizers.NFC(),
                                           normalizers.Replace("``", '"'), normalizers.Strip()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(pattern="-", behavior="merged_with_next"),
        pre_tokenizers.CharDelimiterSplit(" "),
        pre_tokenizers.Split(pattern="ab", behavior="isolated", invert=True),
        pre_tokenizers.Punctuation(behavior="merged_with_previous")])
    tok.add_special_tokens([AddedToken(t, normalized=False) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]])
    return save(tok, "wordpiece_misc")


def bytelevel_normalizer():
    """GPT-2's BPE behind a ByteLevel *normalizer*, a string Split on "Ġ" (merged with next),
    NFKD first, and a post-processor Sequence (ByteLevel, TemplateProcessing `$A <|endoftext|>`)."""
    data = json.loads(Tokenizer.from_file(os.path.join(HERE, "gpt2_bpe.json")).to_str())
    vocab = data["model"]["vocab"]
    merges = [tuple(m) for m in data["model"]["merges"]]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.normalizer = normalizers.Sequence([normalizers.NFKD(), normalizers.ByteLevel()])
    tok.pre_tokenizer = pre_tokenizers.Split(pattern="Ġ", behavior="merged_with_next")
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken("<|endoftext|>", normalized=False)])
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="$A <|endoftext|>", pair="$A <|endoftext|> $B:1 <|endoftext|>:1",
                                      special_tokens=[("<|endoftext|>", tok.token_to_id("<|endoftext|>"))])])
    return save(tok, "bytelevel_normalizer")


def metaspace_split():
    """SentencePiece BPE with Metaspace(prepend_scheme=always, split=true), a Lowercase
    normalizer, and a Metaspace decoder; no post-processor."""
    pieces, merges = trained_sentencepiece_pieces(400, 50)
    vocab = {"<unk>": 0}
    for p in pieces:
        if p not in vocab:
            vocab[p] = len(vocab)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.add_special_tokens([AddedToken("<unk>", normalized=False)])
    return save(tok, "metaspace_split")


def expectations(tok):
    lines = []
    for text in CORPUS:
        with_special = tok.encode(text, add_special_tokens=True).ids
        without = tok.encode(text, add_special_tokens=False).ids
        lines.append({
            "text": text,
            "ids": with_special,
            "ids_no_special": without,
            "decoded": tok.decode(with_special, skip_special_tokens=False),
            "decoded_skip_special": tok.decode(with_special, skip_special_tokens=True),
        })
    pairs = []
    for a, b in PAIRS:
        enc = tok.encode(a, b, add_special_tokens=True)
        pairs.append({"a": a, "b": b, "ids": enc.ids, "type_ids": enc.type_ids})
    vocab = tok.get_vocab(with_added_tokens=True)
    specials = {t: vocab[t] for t in ["<pad>", "<bos>", "<eos>", "<unk>", "[PAD]", "[UNK]",
                                      "[CLS]", "[SEP]", "[MASK]", "<s>", "</s>",
                                      "<|endoftext|>", "<mask>"] if t in vocab}
    return {"vocab_size": tok.get_vocab_size(with_added_tokens=True),
            "special_ids": specials, "lines": lines, "pairs": pairs}


def main():
    builders = [word_level, word_level_split, bert_uncased, bert_cased, gpt2, roberta,
                llama2, llama_metaspace, char_bpe, wordpiece_misc, bytelevel_normalizer, metaspace_split]
    out = {"tokenizers_version": tokenizers.__version__, "tokenizers": {}}
    for build in builders:
        tok = build()
        out["tokenizers"][build_name(build)] = expectations(tok)
    path = os.path.join(HERE, "expected.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")
    os.replace(path + ".tmp", path)
    total = sum(os.path.getsize(os.path.join(HERE, n)) for n in os.listdir(HERE) if n.endswith(".json"))
    print(f"wrote {len(builders)} tokenizers, {len(CORPUS)} lines each; {total} bytes of JSON",
          file=sys.stderr)


FILES = {"word_level": "wordlevel", "word_level_split": "wordlevel_split",
         "bert_uncased": "bert_uncased", "bert_cased": "bert_cased", "gpt2": "gpt2_bpe",
         "roberta": "roberta_bpe", "llama2": "llama2_bpe", "llama_metaspace": "llama_metaspace",
         "char_bpe": "char_bpe", "wordpiece_misc": "wordpiece_misc",
         "bytelevel_normalizer": "bytelevel_normalizer", "metaspace_split": "metaspace_split"}


def build_name(fn):
    return FILES[fn.__name__]


if __name__ == "__main__":
    main()
