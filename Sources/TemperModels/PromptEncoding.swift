import TemperText

/// Whether a generation prompt starts with the bos token.
public enum BosPolicy: String, Sendable, CaseIterable {
    /// As the model family expects: Llama and Mistral prompts start with bos (their
    /// Hugging Face tokenizers add it); GPT-2 and Qwen2 prompts do not.
    case auto
    /// Always start with bos (when the tokenizer or the config names one).
    case always
    /// Only what the tokenizer's post-processor adds.
    case never

    /// The model types whose prompts start with bos under `auto`.
    public static let prefixedModelTypes: Set<String> = ["llama", "mistral"]
}

extension CausalLanguageModel {
    /// Token ids for a generation prompt: the tokenizer's encoding with its special tokens,
    /// then bos in front when `policy` asks for it and the encoding does not start with it.
    /// The world's tokenizer adds nothing itself and its model was trained on `<bos> prompt`,
    /// so `auto` gives it the prefix it needs, as Llama's own tokenizer would.
    public func promptIds(_ text: String, tokenizer: Tokenizer, bos policy: BosPolicy = .auto) throws -> [Int] {
        var ids = try tokenizer.encode(text, addSpecialTokens: true)
        let wantsBos: Bool
        switch policy {
        case .auto: wantsBos = BosPolicy.prefixedModelTypes.contains(modelType)
        case .always: wantsBos = true
        case .never: wantsBos = false
        }
        if wantsBos {
            guard let bos = tokenizer.bosTokenId ?? bosTokenId else {
                throw ModelError.invalidInput(reason: "\(tokenizer.source): no bos token to start the prompt with")
            }
            if ids.first != bos { ids.insert(bos, at: 0) }
        }
        guard !ids.isEmpty else { throw ModelError.invalidInput(reason: "the prompt encodes to no tokens") }
        return ids
    }
}
