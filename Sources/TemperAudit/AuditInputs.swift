import Foundation
import TemperModels
import TemperText
import TemperWorld

/// The fixture world an audit measures on: its manifest, language and datasets.
public struct AuditWorld {
    public let folder: URL
    public let manifest: WorldManifest
    public let language: WorldLanguage
    public let data: WorldDatasets

    /// Opens a world folder (needs world.json; the datasets are regenerated from its seed,
    /// exactly as the attack does, so every audit sees the same rows).
    public static func open(_ folder: URL) throws -> AuditWorld {
        guard AuditInputs.isDirectory(folder) else { throw AuditError.missingInput(role: "world", path: folder.path) }
        let manifest: WorldManifest
        do { manifest = try WorldFiles.readManifest(world: folder) } catch let error as WorldError {
            if case let .notAWorld(path, reason) = error { throw AuditError.notAWorld(path: path, reason: reason) }
            throw AuditError.notAWorld(path: folder.path, reason: error.localizedDescription)
        }
        let language = WorldLanguage(seed: manifest.seed)
        return AuditWorld(folder: folder, manifest: manifest, language: language, data: WorldDatasets(language: language, seed: manifest.seed))
    }

    /// Rows of a split, which must exist and be non-empty.
    public func rows(_ split: String) throws -> [WorldRow] {
        let rows = data[split]
        guard !rows.isEmpty else {
            throw AuditError.invalidConfig("the world has no rows in split '\(split)' (splits: \(WorldDatasets.splitNames.joined(separator: ", ")))")
        }
        return rows
    }
}

/// A model folder loaded for auditing, with its tokenizer.
public struct AuditModel {
    public let folder: URL
    public let model: LlamaModel
    public let tokenizer: Tokenizer

    /// Loads `folder`; `role` ("base model", "defended model", …) names it in errors.
    public static func load(_ folder: URL, role: String) throws -> AuditModel {
        guard AuditInputs.isDirectory(folder) else { throw AuditError.missingInput(role: role, path: folder.path) }
        do {
            return AuditModel(folder: folder, model: try LlamaModel.load(folder), tokenizer: try Tokenizer.load(folder))
        } catch {
            let reason = (error as? LocalizedError)?.errorDescription ?? "\(error)"
            throw AuditError.unreadableModel(role: role, path: folder.path, reason: reason)
        }
    }

    /// A fresh copy of the model's weights (attacks and training change models in place).
    public func reload() throws -> LlamaModel { try LlamaModel.load(folder) }
}

/// Checks that the models and the world fit together before any measurement.
public enum AuditInputs {
    static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Same tokens at the same ids, same model vocabulary, same parameter names and shapes.
    public static func checkCompatible(_ a: AuditModel, _ b: AuditModel) throws {
        let (pa, pb) = (a.folder.path, b.folder.path)
        guard a.model.vocabSize == b.model.vocabSize else {
            throw AuditError.vocabularyMismatch(first: pa, second: pb, detail: "vocab_size \(a.model.vocabSize) vs \(b.model.vocabSize)")
        }
        guard a.tokenizer.vocabSize == b.tokenizer.vocabSize else {
            throw AuditError.vocabularyMismatch(first: pa, second: pb, detail: "tokenizers have \(a.tokenizer.vocabSize) vs \(b.tokenizer.vocabSize) tokens")
        }
        for id in 0..<a.tokenizer.vocabSize {
            let (ta, tb) = (a.tokenizer.idToToken(id), b.tokenizer.idToToken(id))
            guard ta == tb else {
                throw AuditError.vocabularyMismatch(first: pa, second: pb,
                                                    detail: "token id \(id) is '\(ta ?? "none")' vs '\(tb ?? "none")'")
            }
        }
        let (qa, qb) = (a.model.parameters, b.model.parameters)
        guard qa.count == qb.count else {
            throw AuditError.architectureMismatch(first: pa, second: pb, detail: "\(qa.count) vs \(qb.count) parameter tensors")
        }
        for (x, y) in zip(qa, qb) where x.name != y.name || x.tensor.shape != y.tensor.shape {
            throw AuditError.architectureMismatch(first: pa, second: pb,
                                                  detail: "tensor '\(x.name)' \(x.tensor.shape) vs '\(y.name)' \(y.tensor.shape)")
        }
    }

    /// Every word of the world's language must be a token of the model's tokenizer, with an
    /// id inside the model's vocabulary.
    public static func checkCompatible(_ m: AuditModel, world: AuditWorld) throws {
        for word in world.language.vocabulary {
            guard let id = m.tokenizer.tokenToId(word), id < m.model.vocabSize else {
                throw AuditError.vocabularyMismatch(first: m.folder.path, second: world.folder.path,
                                                    detail: "the world's word '\(word)' is not in the model's vocabulary")
            }
        }
    }

    /// Loads every model, checks each against the first and against the world.
    public static func load(_ folders: [(role: String, folder: URL)], world: AuditWorld) throws -> [AuditModel] {
        let models = try folders.map { try AuditModel.load($0.folder, role: $0.role) }
        for m in models { try checkCompatible(m, world: world) }
        if let first = models.first { for m in models.dropFirst() { try checkCompatible(first, m) } }
        return models
    }
}
