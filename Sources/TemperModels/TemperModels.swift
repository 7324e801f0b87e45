// TemperModels: config decoding, strict loading, Llama / GPT-2 / BERT, capture and perturbation hooks.
