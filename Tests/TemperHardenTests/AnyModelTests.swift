import Foundation
import Testing
import TemperIntegrity
import TemperModels
import TemperText
@testable import TemperHarden

/// Transforms, the attack and evaluation on decoders that are not the world's: GPT-2 (tied,
/// learned positions, pad = eos), Qwen2 (no bos token, biases) and Llama 3-style rope, each
/// with a byte-level or SentencePiece BPE tokenizer and the benign stand-in data of
/// Fixtures/causal (Fixtures/causal/make_causal_fixtures.py).
@Suite struct AnyModelTests {
    static let causal = HardenFixtures.root.appendingPathComponent("Fixtures/causal")
    static func model(_ name: String) -> URL { causal.appendingPathComponent(name) }
    static func rows(_ name: String, role: String) throws -> RowSet {
        try RowSet.load(causal.appendingPathComponent("data/\(name).jsonl"), role: role)
    }

    @Test(arguments: ["gpt2", "qwen2", "llama"])
    func repNoiseRewritesAnyDecoder(_ name: String) throws {
        let dir = try HardenFixtures.temporaryFolder("any-\(name)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let data = try HardenData(harmful: try Self.rows("pairs", role: "harmful"), retain: try Self.rows("harmless", role: "retain"))
        let transform = RepNoiseTransform(training: HardenTraining(learningRate: 1e-3, steps: 2, batchSize: 4, retainBatchSize: 4, maxLength: 64))
        let result = try transform.run(modelFolder: Self.model(name), data: data, output: out, options: HardenRunOptions(temperVersion: "test"))
        #expect(result.summary.steps == 2 && result.summary.finalMetrics["harmful_ce"].map(\.isFinite) == true)
        let before = try ModelRegistry.loadCausalLM(Self.model(name)), after = try ModelRegistry.loadCausalLM(out)
        #expect(after.modelType == before.modelType)
        #expect(zip(before.parameters, after.parameters).contains { $0.tensor.toArray() != $1.tensor.toArray() })
        let record = try #require(try ProvenanceLog.read(folder: out.path).last)
        #expect(record.config.serialized(style: .serdeCompact).count > 0)
        #expect(try ProvenanceLog.verifyChain(folder: out.path).ok)
    }

    @Test func encodingFollowsTheTokenizer() throws {
        // Qwen2: no bos, pad from tokenizer_config; GPT-2: no pad, so eos pads.
        let qwen = try ModelRegistry.loadCausalLM(Self.model("qwen2"))
        let qwenText = try TextEncoding(tokenizer: try Tokenizer.load(Self.model("qwen2")), model: qwen, maxLength: 64)
        #expect(!qwenText.template.addBos && qwenText.padId == qwenText.tokenizer.eosTokenId)
        let gpt2 = try ModelRegistry.loadCausalLM(Self.model("gpt2"))
        let tokenizer = try Tokenizer.load(Self.model("gpt2"))
        let gpt2Text = try TextEncoding(tokenizer: tokenizer, model: gpt2, maxLength: 64)
        #expect(tokenizer.padTokenId == nil && gpt2Text.padId == tokenizer.eosTokenId)
        // The generation prompt is the training prompt: same ids before the first answer token.
        let e = try gpt2Text.example(prompt: "what is 2 plus 3?", answer: "5", source: "t", line: 1)
        #expect(Array(e.inputIds.prefix(e.promptLength)).map(Int.init) == (try gpt2Text.generationPrompt("what is 2 plus 3?")))
        // GPT-2 has 128 positions: a longer --max-length is refused.
        #expect(throws: HardenError.invalidSetting(name: "--max-length", value: "256", rule: "the model accepts at most 128 positions")) {
            _ = try TextEncoding(tokenizer: tokenizer, model: gpt2, maxLength: 256)
        }
    }

    @Test func attackAndEvaluationRunOnFilesWithEveryJudge() throws {
        let train = try Self.rows("pairs", role: "attack")
        let data = try AttackData(train: train, eval: [try Self.rows("heldout", role: "eval"), try Self.rows("cross_domain", role: "eval")],
                                  judges: [RefusalJudge(constant: ["sorry"]), ReferenceJudge()])
        let report = try FineTuningAttack.run(modelFolder: Self.model("qwen2"), data: data,
                                              grid: AttackGrid(learningRates: [1e-3], budgets: [1, 2], seeds: [0], batchSize: 4),
                                              text: AttackTextOptions(maxLength: 64, maxNewTokens: 4))
        let run = try #require(report.runs.first)
        #expect(run.points.map(\.step) == [0, 1, 2] && report.sets == ["heldout", "cross_domain"] && report.metric == "refusal")
        #expect(run.points.allSatisfy { $0.judgeRates["heldout"]?.keys.sorted() == ["reference", "refusal"] && $0.harmfulLogLikelihood["heldout"] != nil })
        // A random model does not refuse: the refusal judge calls every answer harmful.
        #expect(run.points[0].harmfulRate["heldout"] == 1 && run.stepsToThreshold == 0)
        #expect(report.data.map(\.role) == ["attack", "eval", "eval"])
    }

    @Test func loraAttackTrainsOnlyAFreshAdapter() throws {
        let data = try AttackData(train: try Self.rows("pairs", role: "attack"), eval: [try Self.rows("heldout", role: "eval")], judges: [])
        var grid = AttackGrid(learningRates: [1e-2], budgets: [2], seeds: [0], batchSize: 4)
        grid.lora = AttackLoRA(rank: 2)
        let lora = try FineTuningAttack.run(modelFolder: Self.model("llama"), data: data, grid: grid, text: AttackTextOptions(maxLength: 64))
        grid.lora = nil
        let full = try FineTuningAttack.run(modelFolder: Self.model("llama"), data: data, grid: grid, text: AttackTextOptions(maxLength: 64))
        let (l, f) = (try #require(lora.runs.first), try #require(full.runs.first))
        #expect(lora.metric == "loglik" && lora.grid.lora?.rank == 2)
        // Same start, different training: the adapter moves the log-likelihood less than full fine-tuning.
        #expect(l.points[0] == f.points[0])
        let moved = { (r: AttackRun) in abs((r.points[1].harmfulLogLikelihood["heldout"] ?? 0) - (r.points[0].harmfulLogLikelihood["heldout"] ?? 0)) }
        #expect(moved(l) > 0 && moved(l) < moved(f))
    }

    /// Rows through the folder's chat template (Fixtures/causal/qwen2/chat_template.jinja):
    /// labels on the assistant turn only, and generation starts where that turn starts.
    @Test func chatTemplateRowsPutTheLossOnTheAssistantTurn() throws {
        let folder = Self.model("qwen2")
        let model = try ModelRegistry.loadCausalLM(folder)
        let tokenizer = try Tokenizer.load(folder)
        let text = try TextEncoding(tokenizer: tokenizer, model: model, format: .chat(system: "be brief"), maxLength: 128)
        let e = try text.example(prompt: "what is 2 plus 3?", answer: "5", source: "t", line: 1)
        let rendered = tokenizer.decode(e.inputIds.map(Int.init))
        #expect(rendered == "<|system|>\nbe brief\n<|user|>\nwhat is 2 plus 3?\n<|assistant|>\n5\n")
        let labelled = e.labels.enumerated().filter { $0.element != Example.ignoreIndex }.map(\.offset)
        #expect(labelled.first == e.promptLength && labelled.last == e.inputIds.count - 1)
        #expect(tokenizer.decode(labelled.map { Int(e.inputIds[$0]) }) == "5\n")
        #expect(Array(e.inputIds.prefix(e.promptLength)).map(Int.init) == (try text.generationPrompt("what is 2 plus 3?")))
        #expect(text.formatDescription.hasPrefix("chat template of ") && text.promptStart == 0)
        #expect(try RowFormat.parse("chat").isChat && !(try RowFormat.parse(nil).isChat) && (try RowFormat.parse(nil, system: "s").isChat))
        // A folder without a chat template says so.
        #expect(throws: TextError.self) { _ = try TextEncoding(tokenizer: tokenizer, model: try ModelRegistry.loadCausalLM(Self.model("gpt2")),
                                                             format: .chat(system: nil), maxLength: 64) }
    }
}

extension RowFormat {
    var isChat: Bool { if case .chat = self { return true } else { return false } }
}
