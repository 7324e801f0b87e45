import Foundation
import Testing
import TemperFormats
import TemperModels
import TemperTensor
@testable import TemperAudit

/// Networks built with known redundancy give exactly the expected degeneracy counts.
@Suite struct DegeneracyConstructedTests {
    /// One Llama block, hidden 8, six tokens. Embeddings live in dims 0..<5 (dims 5, 6, 7 are a
    /// dead subspace); attention and the MLP write nothing (v, o, down are zero), so
    /// residual.1 = residual.0. The MLP gate has units 0, 1, 2 with one sign pattern
    /// (a, a, 2a), unit 3 zero (never on), unit 4 = −a and unit 5 = b (patterns of their own).
    static func makeModel(in dir: URL) throws -> LlamaModel {
        let (hidden, inner, vocab) = (8, 6, 6)
        func generic(_ r: Int, _ d: Int) -> Float { Float(sin(1.3 * Double(r + 1) * Double(d + 1)) + 0.1 * Double(d)) }
        var embed = [Float](repeating: 0, count: vocab * hidden)
        for t in 0..<vocab { for d in 0..<5 { embed[t * hidden + d] = generic(t, d) } }
        let a: [Float] = [1, -0.5, 0.25, 0, 0, 0, 0, 0], b: [Float] = [0, 0, 0.4, -1, 0.7, 0, 0, 0]
        let gate = a + a + a.map { 2 * $0 } + [Float](repeating: 0, count: hidden) + a.map { -$0 } + b
        var head = [Float](repeating: 0, count: vocab * hidden)
        for t in 0..<vocab { for d in 0..<5 { head[t * hidden + d] = generic(t + 7, d) } }
        let zeros = { (n: Int) in [Float](repeating: 0, count: n) }
        let ones = { (n: Int) in [Float](repeating: 1, count: n) }
        let tensors: [(String, [Int], [Float])] = [
            ("model.embed_tokens.weight", [vocab, hidden], embed),
            ("model.layers.0.input_layernorm.weight", [hidden], ones(hidden)),
            ("model.layers.0.self_attn.q_proj.weight", [hidden, hidden], zeros(hidden * hidden)),
            ("model.layers.0.self_attn.k_proj.weight", [hidden, hidden], zeros(hidden * hidden)),
            ("model.layers.0.self_attn.v_proj.weight", [hidden, hidden], zeros(hidden * hidden)),
            ("model.layers.0.self_attn.o_proj.weight", [hidden, hidden], zeros(hidden * hidden)),
            ("model.layers.0.post_attention_layernorm.weight", [hidden], ones(hidden)),
            ("model.layers.0.mlp.gate_proj.weight", [inner, hidden], gate),
            ("model.layers.0.mlp.up_proj.weight", [inner, hidden], ones(inner * hidden)),
            ("model.layers.0.mlp.down_proj.weight", [hidden, inner], zeros(hidden * inner)),
            ("model.norm.weight", [hidden], ones(hidden)),
            ("lm_head.weight", [vocab, hidden], head),
        ]
        let config = """
        {"model_type": "llama", "vocab_size": \(vocab), "hidden_size": \(hidden), "intermediate_size": \(inner),
         "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 2, "rms_norm_eps": 1e-5,
         "max_position_embeddings": 64, "tie_word_embeddings": false}
        """
        try Data(config.utf8).write(to: dir.appendingPathComponent("config.json"))
        let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.0, $0.2) })
        try SafetensorsWriter.write(to: dir.appendingPathComponent("model.safetensors"),
                                    tensors: tensors.map { TensorSpec(name: $0.0, dtype: .f32, shape: $0.1) }) { spec in
            (byName[spec.name] ?? []).flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        }
        return try LlamaModel.load(dir)
    }

    /// Every token type several times, in a fixed order.
    static let sequences = (0..<6).map { r in
        DegeneracySequence(ids: (0..<9).map { ($0 * 5 + r) % 6 }, promptLength: 3, harmful: r % 2 == 0, line: r + 1)
    }

    @Test func deadSubspaceAndDuplicatedUnitsAreCountedExactly() throws {
        let dir = try AuditFixtures.tempDir("degeneracy-constructed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try Self.makeModel(in: dir)
        var config = DegeneracyConfig()
        config.edgeTokens = 0
        config.ablationTokens = 0
        let result = try DegeneracyAudit.run(model: model, sequences: Self.sequences, config: config)
        let byName = Dictionary(uniqueKeysWithValues: result.layers.map { ($0.layer.name, $0) })
        // Six token types span dims 0..<5 plus the constant coordinate: rank 6 of 9.
        #expect(byName["residual.0"]?.basis?.activationRank == 6)
        #expect(byName["residual.1"]?.basis?.activationRank == 6)
        #expect(byName["residual.0"]?.basis?.gramSpectrum.suffix(3).allSatisfy { $0 < 1e-12 } == true)
        // Final-normed states live in a 5-dimensional subspace, so do the logits.
        #expect(byName["logits"]?.basis?.activationRank == 5)
        let units = try #require(result.units.first)
        #expect(units.units == 6)
        #expect(units.neverActive == 1)
        #expect(units.sharedGroups == 1 && units.unitsInSharedGroups == 3 && units.largestGroup == 3)
        #expect(units.distinctPatterns == 3)
        #expect(units.redundant == 2)
    }

    /// A linear section f' = W f with rank-2 W [3 × 4]: the IG formula gives g = WᵀW f, so
    /// exactly two directions carry Λ; the other two (W's null space) are gradient degenerate.
    @Test func linearSectionNullSpaceIsGradientDegenerate() throws {
        let w = try Matrix64(rows: 3, cols: 4, values: [1, 0, 2, 0, 0, 1, 0, 1, 1, 1, 2, 1])   // row 3 = row 1 + row 2
        var xs: [Double] = []
        for n in 0..<40 { for d in 0..<4 { xs.append(sin(0.37 * Double(n) * Double((d + 1) * (d + 1)) + Double(d))) } }
        let x = try Matrix64(rows: 40, cols: 4, values: xs)
        let g = try x.matmul(w, transposeOther: true).matmul(w)                                 // rows gᵀ = xᵀ Wᵀ W
        let gram = try x.matmul(x, transposeSelf: true).scaled(1.0 / 40)
        let mDash = try g.matmul(g, transposeSelf: true).scaled(1.0 / 40)
        let lambdaDash = try g.matmul(x, transposeSelf: true).scaled(1.0 / 40)
        let basis = try InteractionBasis.interaction(gram: gram, mDash: mDash, lambdaDash: lambdaDash, threshold: 1e-5, layer: "linear")
        #expect(basis.activationRank == 4)
        #expect(basis.interactionRank == 2)
        #expect(basis.lambda?.suffix(2).allSatisfy { $0 < 1e-12 } == true)
        // C⁺C = I on the kept directions.
        let identity = try basis.cPinv.matmul(basis.c)
        #expect(zip(identity.values, try Matrix64.identity(2).values).allSatisfy { abs($0 - $1) < 1e-9 })
    }

    /// Only harmful rows: no harmless responses to score, so no ablation curve and no harmful
    /// share (there is no harmless mean), but the bases are built.
    @Test func harmfulOnlyDataSkipsAblationAndSafetyView() throws {
        let dir = try AuditFixtures.tempDir("degeneracy-harmful-only")
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = DegeneracyConfig()
        config.edgeTokens = 0
        let harmful = Self.sequences.map { DegeneracySequence(ids: $0.ids, promptLength: $0.promptLength, harmful: true, line: $0.line) }
        var notes: [String] = []
        let result = try DegeneracyAudit.run(model: try Self.makeModel(in: dir), sequences: harmful, config: config) { notes.append($0) }
        #expect(result.layers.allSatisfy { $0.ablation == nil && $0.harmful == nil })
        #expect(result.layers.first?.basis?.activationRank == 6)
        #expect(notes.contains { $0.hasPrefix("ablation skipped") })
    }

    @Test func badInputIsATypedError() throws {
        let dir = try AuditFixtures.tempDir("degeneracy-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try Self.makeModel(in: dir)
        var config = DegeneracyConfig()
        config.edgeTokens = 0
        config.ablationTokens = 0
        config.layers = ["residual.7"]
        #expect(throws: AuditError.unknownLayer(name: "residual.7", available: "residual.0 … residual.1, logits")) {
            try DegeneracyAudit.run(model: model, sequences: Self.sequences, config: config)
        }
        config.layers = nil
        #expect(throws: AuditError.emptyDataset(path: "dataset", reason: "no rows to audit")) {
            try DegeneracyAudit.run(model: model, sequences: [], config: config)
        }
        // Rank-0 Gram and non-finite statistics.
        #expect(throws: AuditError.degenerateLayer(layer: "x", reason: "the Gram matrix has no eigenvalue above 1e-05 (rank 0)")) {
            try InteractionBasis.svd(gram: try .zeros(3, 3), threshold: 1e-5, layer: "x")
        }
        var nan = try Matrix64.identity(2)
        nan[0, 1] = .nan
        #expect(throws: AuditError.nonFiniteActivations(layer: "x", row: 0)) {
            try InteractionBasis.svd(gram: nan, threshold: 1e-5, layer: "x")
        }
        // M' = 0: nothing reaches the next layer.
        #expect(throws: AuditError.self) {
            try InteractionBasis.interaction(gram: try .identity(2), mDash: try .zeros(2, 2), lambdaDash: try .zeros(2, 2), threshold: 1e-5, layer: "x")
        }
        // NaN activations in the model (a NaN embedding row) stop the statistics pass.
        let url = dir.appendingPathComponent("model.safetensors")
        var bytes = try [UInt8](Data(contentsOf: url))
        let file = try SafetensorsFile(url: url)
        let record = try #require(file.record(named: "model.embed_tokens.weight"))
        let offset = Int(record.fileRange.lowerBound)
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { for k in 0..<4 { bytes[offset + k] = $0[k] } }
        try Data(bytes).write(to: url)
        let broken = try LlamaModel.load(dir)
        #expect(throws: AuditError.nonFiniteActivations(layer: "residual.0", row: 1)) {
            try DegeneracyAudit.run(model: broken, sequences: Self.sequences, config: config)
        }
    }
}
