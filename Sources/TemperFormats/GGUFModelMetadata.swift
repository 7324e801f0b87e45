import Foundation

/// The `general.*` keys convert_hf_to_gguf writes for a model folder, derived as gguf-py's
/// `Metadata.load` derives them (llama.cpp `gguf-py/gguf/metadata.py`, `utility.py`
/// `size_label`): sampling defaults from generation_config.json; name, basename, finetune,
/// version and size label from the README front matter, config.json `_name_or_path` and the
/// folder name (`get_model_id_components`); license, source url/doi/uuid/repo_url, base models,
/// datasets, tags and languages from the README. `general.url`/`doi`/`uuid`/`repo_url` (without
/// `source.`) come only from convert's `--metadata` override file, which Temper does not take.
public struct GGUFModelMetadata: Sendable, Equatable {
    public var name: String?, author: String?, version: String?, organization: String?
    public var finetune: String?, basename: String?, description: String?, sizeLabel: String?
    public var license: String?, licenseName: String?, licenseLink: String?
    public var sourceURL: String?, sourceDOI: String?, sourceUUID: String?, sourceRepoURL: String?
    /// `general.base_model.N.*` / `general.dataset.N.*` entries: member name → value.
    public var baseModels: [[String: String]]?, datasets: [[String: String]]?
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
                              (\.sourceURL, ["url", "model_url"]), (\.sourceDOI, ["doi", "model_doi"]),
                              (\.sourceUUID, ["uuid", "model_uuid"]), (\.sourceRepoURL, ["repo_url", "model_repo_url"]),
                              (\.license, ["license"]), (\.licenseName, ["license_name"]), (\.licenseLink, ["license_link"])] {
            for key in keys where m[keyPath: field] == nil { m[keyPath: field] = scalar(key) }
        }
        m.baseModels = sources(card, ["base_model", "base_models", "base_model_sources"], totalParams: totalParams)
        m.datasets = sources(card, ["datasets", "dataset", "dataset_sources"], totalParams: totalParams)
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

    /// `apply_metadata_heuristic`'s base model / dataset entries: the first of `keys` present
    /// (none present: nil; present but empty: no entries). A Hugging Face id `org/name` (or
    /// `https://huggingface.co/org/name`) gives name and organization (`id_to_title`), version and
    /// repo_url; another URL only repo_url; a mapping is taken as it is.
    static func sources(_ card: [String: ModelCardFrontMatter.Value], _ keys: [String], totalParams: Int) -> [[String: String]]? {
        // dict.get(a, dict.get(b, …)): the first key present wins, even when its value is empty.
        guard let value = keys.lazy.compactMap({ card[$0] }).first else { return nil }
        return (value.items ?? []).map { item in
            switch item {
            case let .mapping(m): return m
            case let .scalar(id):
                var entry: [String: String] = [:]
                let isURL = ["http://", "https://", "ssh://"].contains { id.hasPrefix($0) }
                var hfID = isURL ? nil : id
                if isURL {
                    entry["repo_url"] = id
                    if id.contains("huggingface.co"), let r = id.range(of: #"^https?://huggingface.co/([^/]+/[^/]+)$"#, options: .regularExpression) {
                        hfID = String(id[r].split(separator: "/", omittingEmptySubsequences: true).suffix(2).joined(separator: "/"))
                    }
                }
                guard let hfID else { return entry }
                let c = ModelID.components(hfID, totalParams: totalParams)
                if let full = c.fullName { entry["name"] = ModelID.title(full) }
                if let org = c.organization { entry["organization"] = ModelID.title(org) }
                if let v = c.version { entry["version"] = v }
                if !isURL, let org = c.organization, let full = c.fullName { entry["repo_url"] = "https://huggingface.co/\(org)/\(full)" }
                return entry
            }
        }
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
        // gguf-py's add_string skips empty strings.
        func add(_ key: String, _ v: String?) { if let v, !v.isEmpty { kv.append(GGUFKeyValue("general.\(key)", .string(v))) } }
        add("name", name ?? ""); add("author", author); add("version", version); add("organization", organization)
        add("finetune", finetune); add("basename", basename); add("description", description); add("size_label", sizeLabel)
        add("license", license); add("license.name", licenseName); add("license.link", licenseLink)
        add("source.url", sourceURL); add("source.doi", sourceDOI); add("source.uuid", sourceUUID); add("source.repo_url", sourceRepoURL)
        for (prefix, entries) in [("base_model", baseModels), ("dataset", datasets)] {
            guard let entries else { continue }
            kv.append(GGUFKeyValue("general.\(prefix).count", .uint32(UInt32(entries.count))))
            for (i, e) in entries.enumerated() {
                for member in ["name", "author", "version", "organization", "description", "url", "doi", "uuid", "repo_url"] {
                    add("\(prefix).\(i).\(member)", e[member])
                }
            }
        }
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
