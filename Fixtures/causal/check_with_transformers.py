"""make interop: transformers loads a folder Temper wrote and gives Temper's logits.

    python check_with_transformers.py FOLDER TEMPER_LOGITS.json

TEMPER_LOGITS.json is `temper logits FOLDER --ids … --json`; the same ids go through
AutoModelForCausalLM.from_pretrained(FOLDER); the largest |Δlogit| must be ≤ 1e-4.
"""
import json, sys
import torch
from transformers import AutoModelForCausalLM

folder, record = sys.argv[1], json.load(open(sys.argv[2]))
model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
with torch.no_grad():
    logits = model(torch.tensor([record["ids"]])).logits[0]
theirs = torch.tensor(record["logits"], dtype=torch.float32)
delta = (logits - theirs).abs().max().item()
print(f"{folder}: max |Δlogit| {delta:.2e} over {len(record['ids'])} positions")
sys.exit(0 if delta <= 1e-4 else 1)
