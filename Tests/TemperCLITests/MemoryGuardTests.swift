import Foundation
import Testing

/// Commands whose inputs need more memory than the process has refuse before allocating:
/// `TEMPER_MEMORY_AVAILABLE` stands in for a small machine. Each guarded command exits 1
/// with one `not enough memory` line naming the file (and tensor), writes nothing, and runs
/// as usual without the override.
@Suite struct MemoryGuardTests {
    static let model = ModelFixture.worldModel
    static let gguf = CLI.fixtures.appendingPathComponent("formats/gguf/hf/tiny-llama-q.gguf").path
    /// The world model's f32 weights are 3 226 112 bytes: this budget loads them but cannot
    /// hold a gradient and two AdamW moments per parameter (9.7 MB).
    static let loadsButCannotTrain = "4000000"

    static func expectRefused(_ args: [String], budget: String = "1000", naming path: String, what: String, tensor: Bool = false,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLI.run(args, environment: ["TEMPER_MEMORY_AVAILABLE": budget])
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("temper: error:") }
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(errors.count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        let line = errors.first.map(String.init) ?? ""
        #expect(line.hasPrefix("temper: error: \(path):") && line.contains("not enough memory for \(what)")
                && line.contains("\(budget) bytes") && line.contains("TEMPER_MEMORY_AVAILABLE"), "\(line)", sourceLocation: sourceLocation)
        #expect(line.contains(" tensor '") == tensor, "\(line)", sourceLocation: sourceLocation)
    }

    @Test func convertRefusesATensorItCannotHoldInF32() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, dtype) in [("out", "bf16"), ("out.gguf", "q8_0"), ("k.gguf", "q4_k_m")] {
            let out = dir.appendingPathComponent(name).path
            try Self.expectRefused(["convert", Self.model, out, "--dtype", dtype], naming: Self.model,
                                   what: "the tensor's f32 buffer for conversion", tensor: true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "\(name): something was written")
            #expect(try CLI.run(["convert", Self.model, out, "--dtype", dtype]).status == 0)
            try FileManager.default.removeItem(atPath: out)
        }
        // A raw copy (same dtype) needs no f32 buffer, so it is never refused.
        let copy = try CLI.run(["convert", Self.model, dir.appendingPathComponent("copy").path],
                               environment: ["TEMPER_MEMORY_AVAILABLE": "1000"])
        #expect(copy.status == 0, "\(copy.stderr)")
    }

    /// A GGUF given as a model is dequantized on load straight into the weights: the
    /// whole-model check runs first and names the GGUF.
    @Test func ggufDequantizationOnLoad() throws {
        try Self.expectRefused(["logits", Self.gguf, "--ids", "1,2,3"], naming: Self.gguf,
                               what: "the f32 weights of all tensors")
        #expect(try CLI.run(["logits", Self.gguf, "--ids", "1,2,3"]).status == 0)
    }

    /// Loading a checkpoint: the f32 copies of all its tensors, before the first is made.
    @Test func logitsAndRunRefuseAModelThatCannotBeLoaded() throws {
        try Self.expectRefused(["logits", Self.model, "--ids", "1,2,3"], naming: Self.model, what: "the f32 weights of all tensors")
        try Self.expectRefused(["run", Self.model, "--prompt-ids", "1,2", "--max-tokens", "2"], naming: Self.model,
                               what: "the f32 weights of all tensors")
        #expect(try CLI.run(["logits", Self.model, "--ids", "1,2,3"]).status == 0)
        #expect(try CLI.run(["logits", Self.model, "--ids", "1,2,3"], environment: ["TEMPER_MEMORY_AVAILABLE": Self.loadsButCannotTrain]).status == 0)
    }

    /// Training: a gradient and two AdamW moments per trainable parameter, before step 1.
    @Test func trainingRefusesOptimizerStateThatCannotFit() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("ft").path, hardened = dir.appendingPathComponent("h").path
        let finetune = ["finetune", Self.model, "--data", ModelFixture.harmfulTrain, "--out", out, "--steps", "1", "--batch", "2"]
        let harden = ["harden", "repnoise", Self.model, hardened, "--world", CLI.fixtures.appendingPathComponent("world").path,
                      "--steps", "1", "--batch", "2"]
        for args in [finetune, harden] {
            try Self.expectRefused(args, budget: Self.loadsButCannotTrain, naming: Self.model,
                                   what: "training 806528 parameters (gradients and two AdamW moments, f32)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "\(args[0]): something was written")
        }
        #expect(try CLI.run(finetune).status == 0)
        #expect(try CLI.run(harden).status == 0)
    }
}
