// TemperText: tokenizers from tokenizer.json and JSONL datasets.
