import Foundation
import TemperFormats
import TemperTensor

/// A LoRA adapter in PEFT format on a loaded causal LM: one `LoRALayer` per targeted
/// `nn.Linear`, created fresh (A kaiming-uniform with a = √5, B zeros, as peft's
/// `reset_lora_parameters`) or loaded from `adapter_config.json` + `adapter_model.safetensors`.
/// Its tensors are `parameters`, named as peft saves them
/// (`base_model.model.<module>.lora_A.weight`), so a `FineTuner` given `owns` as its
/// trainable predicate trains the adapter alone with the base frozen.
public final class LoRAAdapter {
    public static let keyPrefix = "base_model.model."

    public let config: PEFTAdapterConfig
    /// The adapted modules in model order, with their layers.
    public let modules: [(module: LinearModule, layer: LoRALayer)]
    /// lora_A then lora_B of each module, in model order.
    public let parameters: [ModelParameter]
    private let names: Set<String>

    init(config: PEFTAdapterConfig, modules: [(module: LinearModule, layer: LoRALayer)]) {
        self.config = config
        self.modules = modules
        parameters = modules.flatMap { entry -> [ModelParameter] in
            let m = entry.module
            return [ModelParameter(name: Self.key(m.name, "lora_A"), tensor: entry.layer.a, layer: m.layer, module: m.module),
                    ModelParameter(name: Self.key(m.name, "lora_B"), tensor: entry.layer.b, layer: m.layer, module: m.module)]
        }
        names = Set(parameters.map(\.name))
    }

    static func key(_ module: String, _ matrix: String) -> String { "\(keyPrefix)\(module).\(matrix).weight" }

    /// Whether `parameter` is one of this adapter's tensors.
    public func owns(_ parameter: ModelParameter) -> Bool { names.contains(parameter.name) }

    /// The base modules `targets` select, or `adapterTargetsNotFound`.
    static func targetedModules(of all: [LinearModule], _ config: PEFTAdapterConfig, path: String) throws -> [LinearModule] {
        let chosen = try all.filter { try LoRATargets.matches($0.name, config.targets) }
        guard !chosen.isEmpty else {
            let short = Array(Set(all.map { $0.name.split(separator: ".").last.map(String.init) ?? $0.name })).sorted()
            throw ModelError.adapterTargetsNotFound(path: path, targets: LoRATargets.describe(config.targets), available: short)
        }
        return chosen
    }

    /// A fresh adapter: A uniform in ±1/√in (kaiming_uniform_, a = √5), B zeros, so the
    /// adapted model starts equal to the base. `seed` drives A's values.
    public static func create(for model: any CausalLanguageModel, config: PEFTAdapterConfig, seed: UInt64) throws -> LoRAAdapter {
        try create(modules: model.linearModules, modelType: model.modelType, config: config, seed: seed)
    }

    /// A fresh adapter on the given modules of a model of `modelType` (peft's default targets).
    public static func create(modules all: [LinearModule], modelType: String, config: PEFTAdapterConfig, seed: UInt64) throws -> LoRAAdapter {
        guard config.rank > 0 else { throw ModelError.invalidInput(reason: "LoRA rank must be positive, got \(config.rank)") }
        var config = config
        if config.targets == .names([]) { config.targets = .names(LoRATargets.defaults(modelType: modelType)) }
        var rng = TensorRNG(seed: seed)
        let modules = try targetedModules(of: all, config, path: "--lora-targets").map { m -> (LinearModule, LoRALayer) in
            let bound = Float(1 / Double(m.inputs).squareRoot())
            let a = try Tensor.uniform([config.rank, m.inputs], low: -bound, high: bound, rng: &rng, requiresGrad: true)
            let b = try Tensor.zeros([m.outputs, config.rank])
            b.requiresGrad = true
            return (m, LoRALayer(a: a, b: b, scale: Float(config.scale), dropout: Float(config.dropout)))
        }
        // peft records the Conv1D layout it switched to.
        config.fanInFanOut = modules.contains { $0.0.transposed }
        return LoRAAdapter(config: config, modules: modules)
    }

    /// Loads a PEFT adapter folder for `model`, strictly: every targeted module needs its
    /// lora_A [r, in] and lora_B [out, r]; other keys are `unexpectedTensors`; shapes that
    /// do not fit the base are `adapterShapeMismatch` naming both tensors and shapes.
    public static func load(folder: URL, for model: any CausalLanguageModel) throws -> LoRAAdapter {
        try load(folder: folder, modules: model.linearModules)
    }

    /// Loads a PEFT adapter folder for a BERT encoder (`embed`).
    public static func load(folder: URL, for model: BERTModel) throws -> LoRAAdapter {
        try load(folder: folder, modules: model.linearModules)
    }

    static func load(folder: URL, modules all: [LinearModule]) throws -> LoRAAdapter {
        let config = try PEFTAdapterConfig.read(folder: folder)
        let file = folder.appendingPathComponent(PEFTAdapterConfig.weightsFileName)
        guard FileManager.default.fileExists(atPath: file.path) else {
            let legacy = folder.appendingPathComponent("adapter_model.bin")
            if FileManager.default.fileExists(atPath: legacy.path) {
                throw FormatError.unsupportedInput(path: legacy.path, reason: "pickled adapter weights are not read; save with safe_serialization=True")
            }
            throw FormatError.notFound(path: file.path)
        }
        try HubCache.checkLink(file.path, folder: folder.path)
        let checkpoint = try Checkpoint.open(file)
        let targeted = try targetedModules(of: all, config, path: folder.appendingPathComponent(PEFTAdapterConfig.fileName).path)
        var used = Set<String>()
        func tensor(_ name: String, shape: [Int], base: LinearModule) throws -> Tensor {
            guard let record = checkpoint.record(named: name) else {
                throw ModelError.missingTensor(path: file.path, tensor: name, expectedShape: shape)
            }
            guard record.shape == shape else {
                throw ModelError.adapterShapeMismatch(path: file.path, tensor: name, actual: record.shape, expected: shape,
                                                      baseWeight: base.name + ".weight", baseShape: base.weight.shape)
            }
            guard [.f32, .f16, .bf16].contains(record.dtype) else {
                throw ModelError.unsupportedDType(path: file.path, tensor: name, dtype: record.dtype.rawValue)
            }
            let t = try Tensor.zeros(shape)
            let bytes = try checkpoint.bytes(of: record)
            try t.withUnsafeMutableBufferPointer { try HalfPrecision.toFloat32(bytes, dtype: record.dtype, into: $0, tensor: name) }
            t.requiresGrad = true
            used.insert(name)
            return t
        }
        let modules = try targeted.map { m -> (LinearModule, LoRALayer) in
            let a = try tensor(key(m.name, "lora_A"), shape: [config.rank, m.inputs], base: m)
            let b = try tensor(key(m.name, "lora_B"), shape: [m.outputs, config.rank], base: m)
            return (m, LoRALayer(a: a, b: b, scale: Float(config.scale), dropout: Float(config.dropout)))
        }
        let unused = checkpoint.tensors.map(\.name).filter { !used.contains($0) }
        guard unused.isEmpty else { throw ModelError.unexpectedTensors(path: file.path, tensors: unused) }
        return LoRAAdapter(config: config, modules: modules)
    }

    /// Puts the layers into the base model's linear modules (its forward then adds them).
    public func attach() { for (m, layer) in modules { m.slot.layer = layer } }

    /// Takes the layers out again: the base model computes as before.
    public func detach() { for (m, layer) in modules where m.slot.layer === layer { m.slot.layer = nil } }

    /// Dropout for one training step, seeded from the step's seed and the module's index so
    /// a resumed run draws the same masks; nil switches dropout off (inference).
    public func setDropoutSeed(_ seed: UInt64?) {
        for (i, entry) in modules.enumerated() {
            entry.layer.rng = seed.map { TensorRNG(seed: $0 &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15) }
        }
    }

    /// Adds scale · B·A into each base weight (peft `merge_and_unload`) and detaches.
    public func merge() throws {
        try noGrad {
            for (m, layer) in modules {
                // Conv1D weights are [in, out]: add (B·A)ᵀ = Aᵀ·Bᵀ.
                let product = m.transposed ? try layer.a.matmul(layer.b, transposeSelf: true, transposeOther: true) : try layer.b.matmul(layer.a)
                let delta = product * layer.scale
                delta.withUnsafeBufferPointer { d in
                    m.weight.withUnsafeMutableBufferPointer { w in
                        for i in 0..<w.count { w[i] += d[i] }
                    }
                }
            }
        }
        detach()
    }

    /// Writes the folder atomically: `adapter_config.json` and `adapter_model.safetensors` as
    /// peft's `save_pretrained` (f32 tensors in the reference safetensors order with
    /// `{"format": "pt"}` metadata; no model card), plus `extraFiles`.
    public func save(to folder: URL, baseModel: String?, extraFiles: [(name: String, data: Data)] = []) throws {
        try AtomicFolder.write(to: folder) { staging in try write(into: staging, baseModel: baseModel, extraFiles: extraFiles) }
    }

    func write(into folder: URL, baseModel: String?, extraFiles: [(name: String, data: Data)]) throws {
        for file in extraFiles {
            guard !file.name.contains("/"), !file.name.hasPrefix(".") else {
                throw ModelError.io(path: file.name, reason: "extra file names must be plain names inside the folder")
            }
            try AtomicFile.write(file.data, to: folder.appendingPathComponent(file.name))
        }
        var config = self.config
        config.baseModel = baseModel
        try AtomicFile.write(Data(config.fileBytes), to: folder.appendingPathComponent(PEFTAdapterConfig.fileName))
        let specs = parameters.map { TensorSpec(name: $0.name, dtype: .f32, shape: $0.tensor.shape) }
        var byName: [String: Tensor] = [:]
        for p in parameters { byName[p.name] = p.tensor }
        try SafetensorsWriter.write(to: folder.appendingPathComponent(PEFTAdapterConfig.weightsFileName), tensors: specs,
                                    metadata: [("format", "pt")], order: .reference) { spec in
            guard let t = byName[spec.name] else { throw ModelError.missingTensor(path: folder.path, tensor: spec.name, expectedShape: spec.shape) }
            return try t.withUnsafeBufferPointer { try HalfPrecision.fromFloat32($0, to: .f32, tensor: spec.name) }
        }
    }
}
