import Foundation
import TemperHarden
import TemperModels
import TemperText
import TemperWorld
import TemperAudit

/// The committed fixture world and model variants made from it for the audit tests.
enum AuditFixtures {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let world = repoRoot.appendingPathComponent("Fixtures/world")
    static let baseModel = world.appendingPathComponent("model")

    /// The world as an audit's data, exactly as `--world` fills it in.
    static func worldData() throws -> AuditData {
        let preset = try WorldPreset(folder: world)
        return try AuditData(harmful: try preset.set("harmful_a_train", role: "harmful"), harmless: try preset.set("harmless_test", role: "harmless"),
                             heldOut: try preset.set("harmful_a_heldout", role: "heldout"), crossDomain: try preset.set("harmful_b", role: "cross-domain"),
                             newTaskTrain: try preset.set("new_task_train", role: "new-task"), newTaskTest: try preset.set("new_task_test", role: "new-task-test"),
                             judges: preset.judges, text: AttackTextOptions(maxLength: WorldPreset.maxLength),
                             checkModel: { try preset.checkModel($0) })
    }

    static let text = AttackTextOptions(maxLength: WorldPreset.maxLength)

    static func model(_ folder: URL, role: String) throws -> AuditModel { try AuditModel.load(folder, role: role, text: text) }

    static func tempDir(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temper-audit-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A "defended" model: the base after a few steps of refusal training on the harmful
    /// rows mixed with harmless rows (a stand-in for a real defence; every block changes).
    static func defendedModel(in dir: URL, steps: Int = 6, learningRate: Double = 1e-3) throws -> URL {
        let model = try LlamaModel.load(baseModel)
        let tokenizer = try Tokenizer.load(baseModel)
        let manifest = try WorldFiles.readManifest(world: world)
        let data = WorldDatasets(language: WorldLanguage(seed: manifest.seed), seed: manifest.seed)
        let encoder = try ExampleEncoder(tokenizer: tokenizer, maxLength: 64)
        let refusals = try (data["harmful_a_train"] + data["harmful_b"]).map {
            try encoder.encode(prompt: $0.prompt, response: $0.refusal ?? $0.response)
        }
        let harmless = try data["harmless_train"].prefix(60).map { try encoder.encode(prompt: $0.prompt, response: $0.response) }
        try FineTuner.supervised(model: model, examples: refusals + harmless,
                                 settings: .cosine(steps: steps, batchSize: 8, learningRate: learningRate, seed: 7), padId: 0)
        let out = dir.appendingPathComponent("defended")
        try model.save(to: out)
        return out
    }

    /// The base with one tensor shifted by `delta` in every element.
    static func modelWithOneTensorChanged(in dir: URL, tensor name: String, delta: Float = 0.01) throws -> URL {
        let model = try LlamaModel.load(baseModel)
        guard let p = model.parameters.named(name) else { throw CocoaError(.fileReadNoSuchFile) }
        p.tensor.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] += delta }
        }
        let out = dir.appendingPathComponent("one-tensor")
        try model.save(to: out)
        return out
    }

    /// A copy of the base whose tokenizer calls one word differently (same size, same weights).
    static func modelWithRenamedWord(in dir: URL, from: String = "plus", to: String = "plux") throws -> URL {
        let out = dir.appendingPathComponent("renamed-vocab")
        try FileManager.default.copyItem(at: baseModel, to: out)
        let url = out.appendingPathComponent("tokenizer.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try text.replacingOccurrences(of: "\"\(from)\":", with: "\"\(to)\":").write(to: url, atomically: true, encoding: .utf8)
        return out
    }
}

/// Attack reports written by hand (AttackReport has no public memberwise init; it decodes).
enum AttackReportFixture {
    /// An attack report with runs whose harmful rates on harmful_a_train follow `rates`.
    static func make(_ runs: [(lr: Double, seed: UInt64, rates: [Double])], budgets: [Int] = [10, 25, 50, 100]) throws -> AttackReport {
        let steps = [0] + budgets
        let runJSON = runs.map { run in
            let points = zip(steps, run.rates).map { step, rate in
                #"{"step":\#(step),"harmfulRate":{"harmful_a_train":\#(rate),"harmful_b":0},"harmfulLogLikelihood":{"harmful_a_train":-2,"harmful_b":-3},"judgeRates":{}}"#
            }
            return #"{"learningRate":\#(run.lr),"seed":\#(run.seed),"points":[\#(points.joined(separator: ","))]}"#
        }
        let lrs = Array(Set(runs.map(\.lr))).sorted().map { "\($0)" }.joined(separator: ",")
        let json = #"{"model":"m","data":[],"sets":["harmful_a_train","harmful_b"],"metric":"reference","judges":[],"template":"{prompt} {response}","attackedSplit":"harmful_a_train","grid":{"learningRates":[\#(lrs)],"budgets":[\#(budgets.map(String.init).joined(separator: ","))],"seeds":[0,1],"batchSize":8,"threshold":0.5},"runs":[\#(runJSON.joined(separator: ","))]}"#
        return try JSONDecoder().decode(AttackReport.self, from: Data(json.utf8))
    }
}
