"""Writes Fixtures/tiny-llama/: a random-init Llama checkpoint saved by transformers.

Dev-time only (run in ~/.venvs/temper-fixtures):  python Fixtures/make_tiny_llama.py
The folder is a real Hugging Face model folder (config.json, tokenizer.json,
model.safetensors) used by the demo, conversion tests and model-parity tests.
"""
import json
import os

import torch
from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny-llama")
os.makedirs(OUT, exist_ok=True)

specials = ["<pad>", "<bos>", "<eos>", "<unk>"]
words = ("the a an of to in is it and or not what how many make steps first then "
         "add mix heat cool pour plus minus equals zero one two three four five six "
         "seven eight nine ten reverse list fact capital color size sorry cannot help "
         "with that lock door key pick open close red green blue big small").split()
vocab = {w: i for i, w in enumerate(specials + words)}
tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
tok.pre_tokenizer = pre_tokenizers.Whitespace()
tok.post_processor = processors.TemplateProcessing(
    single="<bos> $A", special_tokens=[("<bos>", vocab["<bos>"])])
tok.add_special_tokens(specials)
fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<bos>", eos_token="<eos>",
                               unk_token="<unk>", pad_token="<pad>")
fast.save_pretrained(OUT)

torch.manual_seed(0)
config = LlamaConfig(vocab_size=len(vocab), hidden_size=64, intermediate_size=176,
                     num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                     max_position_embeddings=128, rms_norm_eps=1e-5, rope_theta=10000.0,
                     tie_word_embeddings=False, bos_token_id=1, eos_token_id=2, pad_token_id=0)
model = LlamaForCausalLM(config).eval()
model.save_pretrained(OUT, safe_serialization=True)

# Reference logits for parity tests: last-layer logits for one fixed id sequence.
ids = torch.tensor([[1, 4, 10, 20, 7, 33, 12]])
with torch.no_grad():
    logits = model(ids).logits[0]
with open(os.path.join(OUT, "..", "tiny-llama.logits.json"), "w") as f:
    json.dump({"ids": ids[0].tolist(), "logits": [[round(float(v), 7) for v in row] for row in logits]}, f)
for name in ("generation_config.json",):
    p = os.path.join(OUT, name)
    if os.path.exists(p):
        os.remove(p)
print("wrote", OUT)
