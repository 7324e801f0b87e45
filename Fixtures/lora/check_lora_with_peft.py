"""Live LoRA checks between temper and peft (run by Fixtures/interop.sh; needs torch + peft).

    python check_lora_with_peft.py TEMPER_BINARY WORK_FOLDER

1. temper finetune --lora-rank → peft's PeftModel.from_pretrained loads the folder, and its
   logits equal `temper logits --adapter` (≤ 1e-4); peft's merge_and_unload equals
   `temper merge-adapter` (≤ 1e-4).
2. peft writes an adapter (random B) → `temper logits --adapter` equals peft's logits.
Prints one "ok/FAIL" line per check; exits 1 when one fails.
"""
import json, pathlib, subprocess, sys
import torch
from transformers import AutoModelForCausalLM
from peft import LoraConfig, PeftModel, get_peft_model

temper, work = sys.argv[1], pathlib.Path(sys.argv[2])
fixtures = pathlib.Path(__file__).resolve().parent.parent
base_dir = fixtures / "world" / "model"
data = fixtures / "world" / "data" / "harmful_a_train.jsonl"
ids = [1, 7, 30, 41, 99, 150, 2]
failures = 0


def check(what, ok, detail=""):
    global failures
    print(("ok   - " if ok else "FAIL - ") + what + (f" ({detail})" if detail else ""))
    failures += 0 if ok else 1


def temper_logits(model, adapter=None):
    args = [temper, "logits", str(model), "--ids", ",".join(map(str, ids)), "--json"]
    if adapter:
        args += ["--adapter", str(adapter)]
    return torch.tensor(json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)["logits"])


def base():
    return AutoModelForCausalLM.from_pretrained(str(base_dir), dtype=torch.float32).eval()


def logits(model):
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0]


# 1. Temper's adapter in peft.
ours = work / "temper-adapter"
subprocess.run([temper, "finetune", str(base_dir), "--data", str(data), "--steps", "3", "--batch", "4", "--lr", "1e-2",
                "--lora-rank", "4", "--lora-alpha", "16", "--lora-targets", "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
                "--lora-dropout", "0.1", "--out", str(ours)], check=True, capture_output=True)
peft_model = PeftModel.from_pretrained(base(), str(ours)).eval()
diff = (logits(peft_model) - temper_logits(base_dir, ours)).abs().max().item()
check("peft loads temper's adapter; logits equal temper logits --adapter", diff <= 1e-4, f"max |Δ| {diff:.2e}")
merged_dir = work / "temper-merged"
subprocess.run([temper, "merge-adapter", str(base_dir), str(ours), str(merged_dir)], check=True, capture_output=True)
diff = (logits(peft_model.merge_and_unload()) - temper_logits(merged_dir)).abs().max().item()
check("temper merge-adapter equals peft merge_and_unload", diff <= 1e-4, f"max |Δ| {diff:.2e}")

# 2. peft's adapter in Temper.
torch.manual_seed(1)
model = get_peft_model(base(), LoraConfig(r=8, lora_alpha=32, target_modules=["q_proj", "v_proj", "down_proj"],
                                          task_type="CAUSAL_LM"))
with torch.no_grad():
    for name, p in model.named_parameters():
        if "lora_B" in name:
            p.copy_(torch.randn_like(p) * 0.05)
model.eval()
theirs = work / "peft-adapter"
model.save_pretrained(str(theirs))
diff = (logits(model) - temper_logits(base_dir, theirs)).abs().max().item()
check("temper loads peft's adapter; logits equal peft's", diff <= 1e-4, f"max |Δ| {diff:.2e}")
sys.exit(1 if failures else 0)
