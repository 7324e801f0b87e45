"""Makes the LoRA fixtures from Fixtures/tiny-llama with peft (dev-time only).

    python Fixtures/lora/make_lora_fixtures.py      # needs torch, transformers, peft, safetensors

Writes, next to this script:
  peft-adapter/            adapter_config.json + adapter_model.safetensors as peft's
                           save_pretrained writes them (r=4, lora_alpha=8, q/k/v/o_proj,
                           lora_dropout 0.1; A kaiming-uniform, B random so the adapter changes
                           the logits); README.md (peft's model card) is dropped.
  peft-adapter.expected.json  the prompt ids, logits of base + adapter (unmerged, eval mode) and
                           of peft's merge_and_unload() model, and the versions used.
  gpt2-adapter/, gpt2-adapter.expected.json  the same for Fixtures/models/gpt2 (Conv1D
                           layers, which peft adapts with fan_in_fan_out=True): r=4,
                           lora_alpha=16, c_attn/c_proj/c_fc.
"""
import json, pathlib, shutil, sys
import torch
from transformers import AutoModelForCausalLM
import peft
from peft import LoraConfig, get_peft_model

here = pathlib.Path(__file__).resolve().parent



def make(base_dir, out, stored_base, ids, **lora):
    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(str(base_dir), dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(task_type="CAUSAL_LM", **lora))
    with torch.no_grad():  # B is zero after init; make it non-zero so the adapter matters
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.copy_(torch.randn_like(p) * 0.05)
    model.eval()
    x = torch.tensor([ids])
    with torch.no_grad():
        adapted = model(x).logits[0]
    if out.exists():
        shutil.rmtree(out)
    model.save_pretrained(str(out))
    (out / "README.md").unlink(missing_ok=True)
    # Store the base path repository-relative.
    cfg_path = out / "adapter_config.json"
    assert json.loads(cfg_path.read_text())["base_model_name_or_path"] == str(base_dir)
    cfg_path.write_text(cfg_path.read_text().replace(json.dumps(str(base_dir)), json.dumps(stored_base)))
    merged = model.merge_and_unload()
    with torch.no_grad():
        merged_logits = merged(x).logits[0]
    expected = {
        "versions": {"peft": peft.__version__, "torch": torch.__version__.split("+")[0]},
        "ids": ids,
        "adapted_logits": [[round(float(v), 7) for v in row] for row in adapted],
        "merged_logits": [[round(float(v), 7) for v in row] for row in merged_logits],
        "max_abs_adapted_vs_merged": float((adapted - merged_logits).abs().max()),
    }
    out.with_name(out.name + ".expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print("wrote", out, file=sys.stderr)


make(here.parent / "tiny-llama", here / "peft-adapter", "Fixtures/tiny-llama", [1, 5, 9, 14, 22, 30, 41, 2],
     r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], lora_dropout=0.1)
make(here.parent / "models" / "gpt2", here / "gpt2-adapter", "Fixtures/models/gpt2", [1, 5, 9, 14, 22, 30, 2],
     r=4, lora_alpha=16, target_modules=["c_attn", "c_proj", "c_fc"])

# BERT (sentence-transformers style encoder, AutoModel): peft's default targets query/value.
from transformers import AutoModel
torch.manual_seed(0)
bert_dir, bert_out, bert_ids = here.parent / "models" / "bert", here / "bert-adapter", [2, 5, 63, 71, 64, 1, 18, 84, 65, 110, 3]
bert = get_peft_model(AutoModel.from_pretrained(str(bert_dir), dtype=torch.float32), LoraConfig(r=2, lora_alpha=4, task_type="FEATURE_EXTRACTION"))
with torch.no_grad():
    for name, p in bert.named_parameters():
        if "lora_B" in name:
            p.copy_(torch.randn_like(p) * 0.05)
bert.eval()
with torch.no_grad():
    hidden = bert(input_ids=torch.tensor([bert_ids])).last_hidden_state[0]
if bert_out.exists():
    shutil.rmtree(bert_out)
bert.save_pretrained(str(bert_out))
(bert_out / "README.md").unlink(missing_ok=True)
cfg_path = bert_out / "adapter_config.json"
cfg_path.write_text(cfg_path.read_text().replace(json.dumps(str(bert_dir)), json.dumps("Fixtures/models/bert")))
(here / "bert-adapter.expected.json").write_text(json.dumps({
    "versions": {"peft": peft.__version__, "torch": torch.__version__.split("+")[0]},
    "ids": bert_ids,
    "last_hidden_state": [[round(float(v), 7) for v in row] for row in hidden],
}, indent=1) + "\n")
print("wrote", bert_out, file=sys.stderr)
