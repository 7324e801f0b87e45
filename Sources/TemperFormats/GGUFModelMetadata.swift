import Foundation

/// The `general.*` keys convert_hf_to_gguf writes for a model folder, derived as gguf-py's
/// `Metadata.load` derives them (llama.cpp `gguf-py/gguf/metadata.py`, `utility.py`
/// `size_label`): sampling defaults from generation_config.json; name, basename, finetune,
/// version and size label from the README front matter, config.json `_name_or_path` and the
/// folder name (`get_model_id_components`); license, tags and languages from the README.
/// Not derived (never written): base_models / datasets lists, url/doi/uuid members.
public struct GGUFModelMetadata: Sendable, Equatable {
    public var name: String?, author: String?, version: String?, organization: String?
    public var finetune: String?, basename: String?, description: String?, sizeLabel: String?
    public var license: String?, licenseName: String?, licenseLink: String?
    public var tags: [String]?, languages: [String]?
    public var sampling: [GGUFKeyValue] = []

    /// Reads what gguf-py reads. `totalParams` is the GGUF's element count (size label).
    public static func derive(folderName: String, configJSON: Data?, generationConfigJSON: Data?, readme: String?,
                              totalParams: Int) -> GGUFModelMetadata {
        var m = GGUFModelMetadata()
        if let gen = jsonObject(generationConfigJSON) {
            m.sampling = samplingKeys(gen)
        }
        let card = readme.map(ModelCardFrontMatter.parse) ?? [:]
        func scalar(_ key: String) -> String? { card[key]?.scalar }
        for (field, keys) in [(\GGUFModelMetadata.name, ["name", "model_name"]), (\.author, ["author", "model_author", "model_creator"]),
                              (\.version, ["version", "model_version"]), (\.organization, ["organization", "model_organization"]),
                              (\.description, ["description", "model_description"]), (\.finetune, ["finetune", "model_finetune"]),
                              (\.basename, ["basename", "model_basename", "model_type"]), (\.sizeLabel, ["size_label", "model_size_label"]),
                              (\.license, ["license"]), (\.licenseName, ["license_name"]), (\.licenseLink, ["license_link"])] {
            for key in keys where m[keyPath: field] == nil { m[keyPath: field] = scalar(key) }
        }
        if let license = card["license"]?.list { m.license = license.joined(separator: ",") }
        func list(_ keys: [String]) -> [String]? {
            let found = keys.compactMap { card[$0] }
            return found.isEmpty ? nil : found.flatMap { $0.list ?? [$0.scalar ?? ""] }
        }
        m.tags = list(["tags", "pipeline_tag"])
        m.languages = list(["languages", "language"])
        var ids: [String] = []
        if let config = jsonObject(configJSON),
           let nameOrPath = config["_name_or_path"] as? String, nameOrPath.filter({ $0 == "/" }).count <= 1 {
            ids.append(nameOrPath)
        }
        ids.append(folderName)
        for id in ids {
            let c = ModelID.components(id, totalParams: totalParams)
            if m.name == nil, let full = c.fullName { m.name = ModelID.title(full) }
            if m.organization == nil, let org = c.organization { m.organization = ModelID.title(org) }
            if m.basename == nil { m.basename = c.basename }
            if m.finetune == nil { m.finetune = c.finetune }
            if m.version == nil { m.version = c.version }
            if m.sizeLabel == nil { m.sizeLabel = c.sizeLabel }
        }
        if m.name == nil { m.name = folderName }
        if m.sizeLabel == nil, totalParams > 0 { m.sizeLabel = ModelID.roundedCount(totalParams) }
        return m
    }

    /// A JSON object, or nil when absent or not a valid JSON object: gguf-py's
    /// `load_generation_config` ignores an invalid generation_config.json ("not all models have
    /// valid ones"); config.json has been decoded strictly before this runs.
    static func jsonObject(_ data: Data?) -> [String: Any]? {
        guard let data else { return nil }
        do { return try JSONSerialization.jsonObject(with: data) as? [String: Any] } catch { return nil }
    }

    /// `set_gguf_meta_model`'s order.
    public var keyValues: [GGUFKeyValue] {
        var kv = sampling
        func add(_ key: String, _ v: String?) { if let v { kv.append(GGUFKeyValue("general.\(key)", .string(v))) } }
        add("name", name ?? ""); add("author", author); add("version", version); add("organization", organization)
        add("finetune", finetune); add("basename", basename); add("description", description); add("size_label", sizeLabel)
        add("license", license); add("license.name", licenseName); add("license.link", licenseLink)
        if let tags { kv.append(GGUFKeyValue("general.tags", .array(.string, tags.map { .string($0) }))) }
        if let languages { kv.append(GGUFKeyValue("general.languages", .array(.string, languages.map { .string($0) }))) }
        return kv
    }

    /// generation_config.json → `general.sampling.*` (gguf-py `Metadata.load`, types as `GGUFWriter.add_sampling_*`).
    static func samplingKeys(_ g: [String: Any]) -> [GGUFKeyValue] {
        var kv: [GGUFKeyValue] = []
        func number(_ v: Any?) -> Double? { (v as? NSNumber)?.doubleValue }
        if let s = g["sequence"] as? String { kv.append(GGUFKeyValue("general.sampling.sequence", .string(s))) }
        let spec: [(String, [String], Bool)] = [
            ("top_k", ["top_k"], true), ("top_p", ["top_p"], false), ("min_p", ["min_p"], false),
            ("xtc_probability", ["xtc_probability"], false), ("xtc_threshold", ["xtc_threshold"], false),
            ("temp", ["temperature"], false), ("penalty_last_n", ["penalty_last_n"], true),
            ("penalty_repeat", ["penalty_repeat", "repetition_penalty"], false), ("mirostat", ["mirostat"], true),
            ("mirostat_tau", ["mirostat_tau"], false), ("mirostat_eta", ["mirostat_eta"], false),
        ]
        for (key, sources, isInt) in spec {
            guard let v = sources.lazy.compactMap({ number(g[$0]) }).first else { continue }
            if isInt {
                guard v == v.rounded(), abs(v) <= Double(Int32.max) else { continue }
                kv.append(GGUFKeyValue("general.sampling.\(key)", .int32(Int32(v))))
            } else {
                kv.append(GGUFKeyValue("general.sampling.\(key)", .float32(Float(v))))
            }
        }
        return kv
    }
}
