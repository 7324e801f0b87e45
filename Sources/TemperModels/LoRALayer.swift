import Foundation
import TemperFormats
import TemperTensor

/// Where a LoRA layer attaches to one `nn.Linear` (empty when none is attached).
public final class LoRASlot {
    public internal(set) var layer: LoRALayer?
    init() {}
}

/// One `nn.Linear` (or GPT-2 `Conv1D`) of a loaded model, by its transformers module name
/// (`model.layers.0.self_attn.q_proj`, `transformer.h.0.attn.c_attn`), with its live weight:
/// [out, in], or [in, out] when `transposed` (Conv1D, peft's `fan_in_fan_out`).
public struct LinearModule {
    public let name: String
    public let weight: Tensor
    public let layer: Int?
    public let module: ModuleKind
    let slot: LoRASlot
    public let transposed: Bool

    init(name: String, weight: Tensor, layer: Int?, module: ModuleKind, slot: LoRASlot, transposed: Bool = false) {
        self.name = name; self.weight = weight; self.layer = layer; self.module = module; self.slot = slot; self.transposed = transposed
    }

    public var inputs: Int { weight.shape[transposed ? 0 : 1] }
    public var outputs: Int { weight.shape[transposed ? 1 : 0] }

    /// The same module under the name transformers gives it when the checkpoint's names
    /// lack the wrapper prefix (`model.`, `transformer.`), so adapter keys match peft's.
    func named(withPrefix prefix: String) -> LinearModule {
        LinearModule(name: prefix + name, weight: weight, layer: layer, module: module, slot: slot, transposed: transposed)
    }
}

/// peft's `lora.Linear` delta: scale · B(A(dropout(x))), A [r, in], B [out, r]. Dropout
/// runs only while a step seed is set (training), as `nn.Dropout` in train mode.
public final class LoRALayer {
    public let a: Tensor
    public let b: Tensor
    public let scale: Float
    public let dropout: Float
    var rng: TensorRNG?

    init(a: Tensor, b: Tensor, scale: Float, dropout: Float) {
        self.a = a; self.b = b; self.scale = scale; self.dropout = dropout
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        var input = x
        if dropout > 0, var generator = rng {
            input = try TemperTensor.dropout(x, p: dropout, rng: &generator)
            rng = generator
        }
        return try linear(linear(input, weight: a), weight: b) * scale
    }
}

/// Which module names an adapter config targets, as peft's `check_target_module_exists`:
/// a list matches a name equal to an entry or ending in "." + entry; a string is a regular
/// expression that must match the whole name; `all-linear` takes every linear module
/// (lm_head is never one here).
enum LoRATargets {
    static func matches(_ name: String, _ targets: PEFTAdapterConfig.Targets) throws -> Bool {
        switch targets {
        case let .names(list):
            if list == ["all-linear"] { return true }
            return list.contains { name == $0 || name.hasSuffix("." + $0) }
        case let .pattern(pattern):
            let regex: NSRegularExpression
            do { regex = try NSRegularExpression(pattern: "^(?:" + pattern + ")$") } catch {
                throw ModelError.invalidInput(reason: "target_modules pattern '\(pattern)' is not a valid regular expression")
            }
            let range = NSRange(name.startIndex..., in: name)
            return regex.firstMatch(in: name, range: range) != nil
        }
    }

    /// peft's `TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING` for the types Temper loads.
    static func defaults(modelType: String) -> [String] {
        switch modelType {
        case "gpt2": return ["c_attn"]
        case "bert": return ["query", "value"]
        default: return ["q_proj", "v_proj"]
        }
    }

    static func describe(_ targets: PEFTAdapterConfig.Targets) -> [String] {
        switch targets {
        case let .names(list): return list
        case let .pattern(p): return [p]
        }
    }
}
