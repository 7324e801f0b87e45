import Foundation
import Testing
@testable import TemperFormats

/// The model-card and SpecialVocab rules behind GGUFModelMetadata / LlamaGGUFSpecialVocab, on
/// small inputs whose expected values come from running gguf-py (llama.cpp gguf-py/gguf
/// metadata.py, vocab.py) on the same text; the whole-folder comparison is
/// GGUFConvertParityTests (tiny-card-llama).
@Suite struct GGUFModelMetadataTests {
    @Test func frontMatterReadsListsOfMappingsAndEmptyKeys() {
        let card = ModelCardFrontMatter.parse("""
        ---
        base_model:
          - org/Model-7B-v2
          - name: Custom
            organization: "Org X"
            repo_url: https://example.org/x
        datasets:
        url: https://example.org/card
        widget:
          text: hi
        ---
        """)
        #expect(card["base_model"] == .list(["org/Model-7B-v2", .mapping(["name": "Custom", "organization": "Org X", "repo_url": "https://example.org/x"])]))
        #expect(card["datasets"] == .null)
        #expect(card["url"] == .scalar("https://example.org/card"))
        #expect(card["text"] == nil)
    }

    @Test func baseModelsAndDatasetsAsGGUFPyDerivesThem() {
        let readme = "---\nbase_model: org/Model-7B-v2\ndataset: https://example.org/d\ndatasets:\n---\n"
        let m = GGUFModelMetadata.derive(folderName: "x", configJSON: nil, generationConfigJSON: nil, readme: readme, totalParams: 100)
        // gguf-py: [{'name': 'Model 7B v2', 'organization': 'Org', 'version': 'v2', 'repo_url': 'https://huggingface.co/org/Model-7B-v2'}]
        #expect(m.baseModels == [["name": "Model 7B v2", "organization": "Org", "version": "v2", "repo_url": "https://huggingface.co/org/Model-7B-v2"]])
        // `datasets` is present (empty), so `dataset` is not read: a count of 0.
        #expect(m.datasets == [])
        let keys = m.keyValues.map(\.key)
        #expect(keys.contains("general.dataset.count") && !keys.contains("general.dataset.0.repo_url"))
        #expect(keys.firstIndex(of: "general.base_model.0.name")! < keys.firstIndex(of: "general.base_model.0.version")!)
    }

    /// gguf-py SpecialVocab on this tokenizer.json and tokenizer_config.json gives
    /// `{'bos': 0, 'eos': 1, 'eot': 2}`, add bos and eos.
    @Test func templateProcessingEOSDifferentFromConfigKeepsTheOldOneAsEOT() throws {
        let tokenizer: [String: Any] = [
            "added_tokens": [["id": 0, "content": "<s>"], ["id": 1, "content": "</s>"], ["id": 2, "content": "<|im_end|>"]],
            "post_processor": ["type": "TemplateProcessing", "pair": [[String: Any]](),
                               "single": [["SpecialToken": ["id": "<s>"]], ["Sequence": ["id": "A"]], ["SpecialToken": ["id": "</s>"]]]],
        ]
        let companions = LlamaGGUFCompanions(tokenizerConfigJSON: Data(#"{"bos_token": "<s>", "eos_token": "<|im_end|>"}"#.utf8))
        let config = try LlamaGGUFConfig.decode(configJSON: Data(#"{"hidden_size": 64, "intermediate_size": 80, "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 128, "rms_norm_eps": 1e-05, "vocab_size": 3, "model_type": "llama"}"#.utf8))
        let vocab = try LlamaGGUFSpecialVocab(tokenizer: tokenizer, companions: companions, config: config, nVocab: 3, path: "tokenizer.json")
        #expect(vocab.ids.map { "\($0.0)=\($0.1)" } == ["bos=0", "eos=1", "eot=2"])
        #expect(vocab.metadata.map(\.key).contains("tokenizer.ggml.eot_token_id"))
        #expect(vocab.add.map { "\($0.0)=\($0.1)" } == ["bos=true", "eos=true"])
    }
}
