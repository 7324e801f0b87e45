"""Makes the LoRA fixtures from Fixtures/tiny-llama with peft (dev-time only).

    python Fixtures/lora/make_lora_fixtures.py      # needs torch, transformers, peft, safetensors

Writes, next to this script:
  peft-adapter/            adapter_config.json + adapter_model.safetensors as peft's
                           save_pretrained writes them (r=4, lora_alpha=8, q/k/v/o_proj,
                           lora_dropout 0.1; A kaiming-uniform, B random so the adapter changes
                           the logits); README.md (peft's model card) is dropped.
  peft-adapter.expected.json  the prompt ids, logits of base + adapter (unmerged, eval mode) and
                           of peft's merge_and_unload() model, and the versions used.
"""
import json, pathlib, shutil, sys
import torch
from transformers import AutoModelForCausalLM
import peft
from peft import LoraConfig, get_peft_model

here = pathlib.Path(__file__).resolve().parent
base_dir = here.parent / "tiny-llama"
out = here / "peft-adapter"

torch.manual_seed(0)
base = AutoModelForCausalLM.from_pretrained(str(base_dir), dtype=torch.float32)
config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                    lora_dropout=0.1, task_type="CAUSAL_LM")
model = get_peft_model(base, config)
with torch.no_grad():  # B is zero after init; make it non-zero so the adapter matters
    for name, p in model.named_parameters():
        if "lora_B" in name:
            p.copy_(torch.randn_like(p) * 0.05)
model.eval()
ids = [1, 5, 9, 14, 22, 30, 41, 2]
x = torch.tensor([ids])
with torch.no_grad():
    adapted = model(x).logits[0]
if out.exists():
    shutil.rmtree(out)
model.save_pretrained(str(out))
(out / "README.md").unlink(missing_ok=True)
# Store the adapter config as base-relative: the base is "Fixtures/tiny-llama".
cfg_path = out / "adapter_config.json"
cfg = json.loads(cfg_path.read_text())
assert cfg["base_model_name_or_path"] == str(base_dir)
raw = cfg_path.read_text().replace(json.dumps(str(base_dir)), json.dumps("Fixtures/tiny-llama"))
cfg_path.write_text(raw)
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
(here / "peft-adapter.expected.json").write_text(json.dumps(expected, indent=1) + "\n")
print("wrote", out, file=sys.stderr)
