import TemperModels

/// The longest token sequence a command may feed a decoder: learned positions (GPT-2), else
/// the config's `max_position_embeddings` (Llama family, whose RoPE has no hard limit but
/// whose attention cost grows with the square of the length). Checked before any forward
/// pass, so a long `--ids` list is refused instead of running to gigabytes.
enum ContextLimit {
    static func of(_ model: any CausalLanguageModel) -> Int? {
        if let positions = model.maxPositions { return positions }
        if let lora = model as? LoRAModel { return of(lora.base) }
        return (model as? LlamaModel)?.config.maxPositions
    }

    /// Throws when `count` tokens exceed the model's limit; returns the limit (nil: none).
    @discardableResult
    static func check(_ count: Int, _ what: String, model: any CausalLanguageModel) throws -> Int? {
        guard let limit = of(model) else { return nil }
        guard count <= limit else {
            throw ModelError.invalidInput(reason: "\(model.source.url.path): \(count) \(what) exceed the model's \(limit) positions (max_position_embeddings / context_length)")
        }
        return limit
    }
}
