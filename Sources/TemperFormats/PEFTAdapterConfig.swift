import Foundation

/// `adapter_config.json` of a PEFT LoRA adapter: the fields Temper reads and the file as
/// `peft`'s `LoraConfig.save_pretrained` writes it (`json.dumps(indent=2, sort_keys=True)`,
/// every dataclass field, defaults included).
public struct PEFTAdapterConfig: Sendable, Equatable {
    public static let fileName = "adapter_config.json"
    public static let weightsFileName = "adapter_model.safetensors"

    /// Which modules get adapters: names matched as peft does (equal to, or the last dotted
    /// parts of, a module name), a regular expression that must match a whole module name,
    /// or `all-linear`. An empty list stands for peft's default for the architecture
    /// (resolved when an adapter is created).
    public enum Targets: Sendable, Equatable {
        case names([String])
        case pattern(String)
    }

    public var rank: Int
    public var alpha: Double
    public var targets: Targets
    public var dropout: Double
    public var useRSLoRA: Bool
    /// Weights stored [in, out] (GPT-2 Conv1D); peft sets it from the module type.
    public var fanInFanOut: Bool
    public var baseModel: String?
    public var taskType: String?

    public init(rank: Int, alpha: Double, targets: Targets, dropout: Double = 0, useRSLoRA: Bool = false,
                fanInFanOut: Bool = false, baseModel: String? = nil, taskType: String? = "CAUSAL_LM") {
        self.rank = rank; self.alpha = alpha; self.targets = targets; self.dropout = dropout
        self.useRSLoRA = useRSLoRA; self.fanInFanOut = fanInFanOut; self.baseModel = baseModel; self.taskType = taskType
    }

    /// alpha / r, or alpha / √r with rsLoRA (peft `LoraLayer.update_layer`).
    public var scale: Double { useRSLoRA ? alpha / Double(rank).squareRoot() : alpha / Double(rank) }

    // MARK: reading

    /// Reads and validates the config; settings Temper does not implement (DoRA, biases,
    /// per-module rank patterns, layer subsets, extra trained modules) are typed
    /// `unsupportedInput` errors naming the field. `fan_in_fan_out` is kept for writing back;
    /// as in peft, the layout follows the module type (Conv1D or nn.Linear).
    public static func read(folder: URL) throws -> PEFTAdapterConfig {
        let url = folder.appendingPathComponent(fileName)
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw FormatError.notFound(path: path) }
        let bytes = [UInt8](try RegularFile.read(url, limit: 1 << 20))
        guard bytes.count <= 1 << 20 else { throw FormatError.unsupportedInput(path: path, reason: "over 1 MiB, not an adapter config") }
        let json: OrderedJSON
        do { json = try OrderedJSON.parse(bytes) } catch {
            throw FormatError.unsupportedInput(path: path, reason: "invalid JSON: \(error.description)")
        }
        guard json.members != nil else { throw FormatError.unsupportedInput(path: path, reason: "top level is \(json.kindName), not an object") }
        if let key = json.firstDuplicateKey { throw FormatError.duplicateKey(path: path, key: key) }
        func bad(_ field: String, _ reason: String) -> FormatError { .unsupportedInput(path: path, reason: "'\(field)' \(reason)") }
        func number(_ field: String) throws -> Double? {
            guard let value = json[field], value != .null else { return nil }
            guard case let .number(text) = value, let d = Double(text), d.isFinite else { throw bad(field, "is not a number") }
            return d
        }
        func flag(_ field: String) throws -> Bool {
            guard let value = json[field], value != .null else { return false }
            guard case let .bool(b) = value else { throw bad(field, "is not a boolean") }
            return b
        }
        if let type = json["peft_type"], type != .null, type.stringValue != "LORA" {
            throw bad("peft_type", "is \(type.compactText); only LORA adapters are supported")
        }
        guard let r = try number("r"), r >= 1, r <= 1_048_576, r == r.rounded(), let rank = Int(exactly: r) else {
            throw bad("r", "must be a positive integer")
        }
        let alpha = try number("lora_alpha") ?? 8
        let dropout = try number("lora_dropout") ?? 0
        guard (0..<1).contains(dropout) else { throw bad("lora_dropout", "must be in [0, 1)") }
        let targets: Targets
        switch json["target_modules"] {
        case let .string(pattern)?: targets = pattern == "all-linear" ? .names(["all-linear"]) : .pattern(pattern)
        case let .array(items)?:
            let names = items.compactMap(\.stringValue)
            guard names.count == items.count, !names.isEmpty else { throw bad("target_modules", "must be a non-empty list of names") }
            targets = .names(names)
        default: throw bad("target_modules", "is missing (Temper does not guess peft's per-architecture defaults when reading)")
        }
        if try flag("use_dora") { throw bad("use_dora", "is true; DoRA is not supported") }
        if let bias = json["bias"]?.stringValue, bias != "none" { throw bad("bias", "is '\(bias)'; only 'none' is supported") }
        for field in ["rank_pattern", "alpha_pattern"] {
            if let members = json[field]?.members, !members.isEmpty { throw bad(field, "is not empty; per-module ranks are not supported") }
        }
        for field in ["layers_to_transform", "modules_to_save", "exclude_modules", "target_parameters"] {
            if let value = json[field], value != .null, value.elements?.isEmpty != true { throw bad(field, "is set; not supported") }
        }
        return PEFTAdapterConfig(rank: rank, alpha: alpha, targets: targets, dropout: dropout, useRSLoRA: try flag("use_rslora"),
                                 fanInFanOut: try flag("fan_in_fan_out"), baseModel: json["base_model_name_or_path"]?.stringValue, taskType: json["task_type"]?.stringValue)
    }

    // MARK: writing

    /// The file bytes as peft writes them: the fields of `PEFTAdapterConfig.peftFields`
    /// (peft's LoraConfig defaults) with this adapter's values, keys sorted, indent 2, no
    /// final newline. `target_modules` is written sorted (peft writes its set in hash order).
    public var fileBytes: [UInt8] {
        var fields = Self.peftFields
        func set(_ key: String, _ value: OrderedJSON) {
            if let i = fields.firstIndex(where: { $0.key == key }) { fields[i].value = value } else { fields.append(OrderedJSON.Member(key: key, value: value)) }
        }
        set("r", .number(String(rank)))
        set("lora_alpha", .number(Self.pythonNumber(alpha)))
        set("lora_dropout", .number(Self.pythonNumber(dropout, asFloat: true)))
        set("use_rslora", .bool(useRSLoRA))
        set("fan_in_fan_out", .bool(fanInFanOut))
        set("base_model_name_or_path", baseModel.map(OrderedJSON.string) ?? .null)
        set("task_type", taskType.map(OrderedJSON.string) ?? .null)
        switch targets {
        case let .names(names):
            set("target_modules", names == ["all-linear"] ? .string("all-linear")
                : .array(names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map(OrderedJSON.string)))
        case let .pattern(p): set("target_modules", .string(p))
        }
        fields.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return OrderedJSON.object(fields).serialized(style: .pythonIndented(2))
    }

    /// Python's `json.dumps` of a float (`repr`), or of an int when `asFloat` is false and the
    /// value is whole (peft keeps `lora_alpha=16` an int).
    static func pythonNumber(_ value: Double, asFloat: Bool = false) -> String {
        if value == value.rounded(), abs(value) < 1e16 {
            let whole = String(Int64(value))
            return asFloat ? whole + ".0" : whole
        }
        return "\(value)"
    }
}

extension PEFTAdapterConfig {
    /// The fields peft 0.21.2's `LoraConfig` saves, at the values `save_pretrained` writes for a
    /// plain LoRA adapter (defaults; `inference_mode` true). Fields Temper sets come on top.
    static let peftFields: [OrderedJSON.Member] = [
        .init(key: "alora_invocation_tokens", value: .null),
        .init(key: "alpha_pattern", value: .object([])),
        .init(key: "arrow_config", value: .null),
        .init(key: "auto_mapping", value: .null),
        .init(key: "bias", value: .string("none")),
        .init(key: "corda_config", value: .null),
        .init(key: "ensure_weight_tying", value: .bool(false)),
        .init(key: "eva_config", value: .null),
        .init(key: "exclude_modules", value: .null),
        .init(key: "fan_in_fan_out", value: .bool(false)),
        .init(key: "inference_mode", value: .bool(true)),
        .init(key: "init_lora_weights", value: .bool(true)),
        .init(key: "kasa_config", value: .null),
        .init(key: "layer_replication", value: .null),
        .init(key: "layers_pattern", value: .null),
        .init(key: "layers_to_transform", value: .null),
        .init(key: "loftq_config", value: .object([])),
        .init(key: "lora_bias", value: .bool(false)),
        .init(key: "lora_ga_config", value: .null),
        .init(key: "megatron_config", value: .null),
        .init(key: "megatron_core", value: .string("megatron.core")),
        .init(key: "modules_to_save", value: .null),
        .init(key: "monteclora_config", value: .null),
        .init(key: "peft_type", value: .string("LORA")),
        .init(key: "peft_version", value: .string("0.21.2")),
        .init(key: "qalora_group_size", value: .number("16")),
        .init(key: "rank_pattern", value: .object([])),
        .init(key: "revision", value: .null),
        .init(key: "target_parameters", value: .null),
        .init(key: "trainable_token_indices", value: .null),
        .init(key: "use_bdlora", value: .null),
        .init(key: "use_dora", value: .bool(false)),
        .init(key: "use_qalora", value: .bool(false)),
        .init(key: "velora_config", value: .null),
    ]
}
