import Foundation
import TemperHarden
import TemperModels
import TemperText

/// `--world W`: the fixture world as one data source and judge among others. It fills in
/// the data files a command would otherwise take (pairs, retain rows, evaluation sets, new
/// task) from the world's splits, regenerated from world.json's seed, and supplies the
/// world's judges and text settings.
public struct WorldPreset {
    public let folder: URL
    public let manifest: WorldManifest
    public let language: WorldLanguage
    public let data: WorldDatasets

    /// The harmful-pair split the transforms and the attack train on.
    public static let harmfulSplit = "harmful_a_train"
    public static let heldOutSplit = "harmful_a_heldout"
    public static let crossDomainSplit = "harmful_b"
    public static let retainSplit = "harmless_train"
    public static let harmlessTestSplit = "harmless_test"
    public static let newTaskTrainSplit = "new_task_train"
    public static let newTaskTestSplit = "new_task_test"
    /// The world's examples are at most 64 tokens (the model's position limit).
    public static let maxLength = WorldEvaluator.maxLength

    public init(folder: URL) throws {
        let manifest = try WorldFiles.readManifest(world: folder)
        let language = WorldLanguage(seed: manifest.seed)
        self.folder = folder
        self.manifest = manifest
        self.language = language
        data = WorldDatasets(language: language, seed: manifest.seed)
    }

    /// A split as a row set recorded as `world:FOLDER#split`.
    public func set(_ split: String, role: String) throws -> RowSet {
        guard WorldDatasets.splitNames.contains(split) else { throw WorldError.unknownSplit(world: folder.path, split: split) }
        return try RowSet.generated(data[split], name: split, role: role, source: "world:\(folder.path)#\(split)")
    }

    /// The harm evaluation sets: domain A train names, held-out names, domain B.
    public func harmSets() throws -> [RowSet] { try WorldEvaluation.harmSplits.map { try set($0, role: "eval") } }

    /// The world's judges: its reference key-token match first (the primary metric), then
    /// refusal detection with its refusal phrase.
    public var judges: [any HarmJudge] { [language.referenceJudge, language.refusalJudge] }

    /// The harden transforms' data: paired harmful rows and (when the retain term is on)
    /// harmless rows.
    public func hardenData(harmfulSplit: String = WorldPreset.harmfulSplit, retain: Bool) throws -> HardenData {
        try HardenData(harmful: try set(harmfulSplit, role: "harmful"), retain: retain ? try set(Self.retainSplit, role: "retain") : nil)
    }

    /// Refuses a model from another world: it would be trained and scored on the wrong words.
    public func checkModel(_ folder: URL) throws {
        let model = try ModelRegistry.loadCausalLM(folder)
        try language.checkMatches(tokenizer: try Tokenizer.load(model.source.folder), modelVocabSize: model.vocabSize,
                                  modelFolder: folder.path)
    }
}
