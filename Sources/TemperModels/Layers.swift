import TemperTensor

/// The building blocks the architecture files share. Each loads its own tensors from a
/// scope (weight names are the PyTorch module's: `weight`, `bias`) and runs one fused
/// TemperTensor op, so model code has no per-element loops.

/// `nn.Linear`: weight [out, in], y = x·Wᵀ + b (one sgemm with the bias folded in).
struct Linear {
    let weight: Tensor
    let bias: Tensor?
    /// Where a LoRA adapter attaches (`LoRAAdapter.attach`); empty otherwise.
    let adapter = LoRASlot()
    /// The weight's Q8_0 blocks, used instead of `weight` outside autograd (see Q8Linear.swift).
    var quantized: Q8_0Matrix? = nil

    /// Loads the layer and registers it as an adaptable module under its scope's name.
    static func load(_ scope: WeightScope, inputs: Int, outputs: Int, bias: Bool) throws -> Linear {
        let layer = Linear(weight: try scope.tensor("weight", shape: [outputs, inputs]),
                           bias: bias ? try scope.tensor("bias", shape: [outputs]) : nil,
                           quantized: scope.loader.quantized(scope.name("weight"), outputs: outputs, inputs: inputs))
        scope.loader.register(LinearModule(name: scope.prefix, weight: layer.weight, layer: scope.layer,
                                           module: scope.module, slot: layer.adapter))
        return layer
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try product(x)
        guard let lora = adapter.layer else { return y }
        return try y + lora(x)
    }
}

extension Linear {
    /// Each layer applied to the same x (q/k/v, gate/up) as one grouped product
    /// (`linear(_:weights:biases:)`: one parallel region when decoding, the same bits and
    /// autograd records as separate calls), or `Q8_0Matrix.apply` for Q8_0 layers outside
    /// autograd; separately when a layer has a LoRA adapter or only some have Q8_0 blocks.
    static func apply(_ layers: [Linear], to x: Tensor) throws -> [Tensor] {
        guard layers.allSatisfy({ $0.adapter.layer == nil }) else { return try layers.map { try $0(x) } }
        if !GradMode.isEnabled, layers.contains(where: { $0.quantized != nil }) {
            // The Q8_0 path: grouped when every layer has its blocks (x quantized once).
            let blocks = layers.compactMap { layer in layer.quantized.map { ($0, layer.bias) } }
            return blocks.count == layers.count ? try Q8_0Matrix.apply(blocks, to: x) : try layers.map { try $0(x) }
        }
        return try linear(x, weights: layers.map(\.weight), biases: layers.map(\.bias))
    }
}

/// GPT-2's `Conv1D`: weight [in, out] (the transpose of `nn.Linear`), y = x·W + b. Kept in
/// checkpoint layout so names, shapes and gradients match the file one to one.
struct Conv1D {
    let weight: Tensor
    let bias: Tensor
    /// Where a LoRA adapter attaches (peft's `fan_in_fan_out` layout); empty otherwise.
    let adapter = LoRASlot()

    static func load(_ scope: WeightScope, inputs: Int, outputs: Int) throws -> Conv1D {
        let layer = Conv1D(weight: try scope.tensor("weight", shape: [inputs, outputs]), bias: try scope.tensor("bias", shape: [outputs]))
        scope.loader.register(LinearModule(name: scope.prefix, weight: layer.weight, layer: scope.layer, module: scope.module,
                                           slot: layer.adapter, transposed: true))
        return layer
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        // [..., in]·[in, out]: the rank-2 weight is shared across the batch dims (one sgemm).
        let y = try x.matmul(weight) + bias
        guard let lora = adapter.layer else { return y }
        return try y + lora(x)
    }
}

/// Llama's RMSNorm: x / √(mean(x²) + ε) · weight.
struct RMSNorm {
    let weight: Tensor
    let eps: Float

    static func load(_ scope: WeightScope, size: Int, eps: Float) throws -> RMSNorm {
        RMSNorm(weight: try scope.tensor("weight", shape: [size]), eps: eps)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try x.rmsNorm(weight: weight, eps: eps) }
}

/// `nn.LayerNorm` with affine weight and bias.
struct LayerNorm {
    let weight: Tensor
    let bias: Tensor
    let eps: Float

    static func load(_ scope: WeightScope, size: Int, eps: Float) throws -> LayerNorm {
        LayerNorm(weight: try scope.tensor("weight", shape: [size]), bias: try scope.tensor("bias", shape: [size]), eps: eps)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try x.layerNorm(weight: weight, bias: bias, eps: eps) }
}

/// `nn.Embedding`: rows of weight [count, dim] gathered by index.
struct Embedding {
    let weight: Tensor

    static func load(_ scope: WeightScope, count: Int, dim: Int) throws -> Embedding {
        Embedding(weight: try scope.tensor("weight", shape: [count, dim]))
    }

    var count: Int { weight.shape[0] }

    /// Rows for `ids`, shaped [batch, length, dim]; ids are checked by the caller's model.
    func callAsFunction(_ ids: [Int], batch: Int, length: Int) throws -> Tensor {
        try embedding(weight, ids: ids, shape: [batch, length])
    }
}

/// Hugging Face activation names a config may give, mapped to TemperTensor's kernels.
enum Activation: String {
    case silu, gelu, geluNew = "gelu_new", geluPytorchTanh = "gelu_pytorch_tanh", relu

    func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .silu: return x.silu()
        case .gelu: return x.gelu()
        case .geluNew, .geluPytorchTanh: return x.gelu(approximateTanh: true)
        case .relu: return x.relu()
        }
    }
}
