import Foundation
import TemperFormats
import TemperModels

/// One parameter's type in a quantized round trip.
public struct QuantizedTensor: Sendable, Equatable, Codable {
    public var name: String
    /// The llama.cpp tensor name the mixture rules read.
    public var ggufName: String
    /// The ggml type it passed through ("F32" when the mixture keeps it as it is).
    public var type: String
}

/// A model as `llama-quantize` would leave it, in memory: every parameter goes through the
/// type llama-quantize's per-tensor mixture picks for the file type (`LlamaQuantMixture`,
/// from an f32 GGUF as `temper convert --dtype FTYPE` makes it) — quantized with Temper's
/// bit-exact quantizers (`Quantize.encode`) and decoded back (`Quantize.decode`) into the
/// live parameter. convert_hf_to_gguf permutes the rows of q/k for RoPE; block quantization
/// works within rows, so quantizing the unpermuted rows gives the same values.
public enum QuantizationRoundTrip {
    /// The llama.cpp architecture the mixture rules use for a Temper model type.
    static func architecture(_ modelType: String) -> String? {
        switch modelType {
        case "llama", "mistral": return "llama"   // convert_hf_to_gguf writes Mistral as llama
        case "qwen2": return "qwen2"
        default: return nil
        }
    }

    /// Every parameter with its GGUF name and target type, in the model's parameter order.
    public static func plan(_ model: any CausalLanguageModel, fileType: LlamaFileType) throws -> [(parameter: ModelParameter, tensor: QuantizedTensor, type: GGMLType)] {
        guard let llama = model as? LlamaModel, let arch = architecture(model.modelType) else {
            throw AuditError.invalidConfig("the quantization round trip follows llama-quantize's per-tensor mixture, written for Llama-family "
                                           + "models (llama, mistral, qwen2); this model is '\(model.modelType)'")
        }
        let mixture: LlamaQuantMixture
        do {
            mixture = try LlamaQuantMixture(fileType: fileType, model: LlamaQuantMixture.Model(
                architecture: arch, blockCount: llama.config.layerCount, headCount: llama.config.headCount, headCountKV: llama.config.kvHeadCount))
        } catch {
            throw AuditError.invalidConfig("\(fileType.name): \((error as? LocalizedError)?.errorDescription ?? "\(error)")")
        }
        var infos: [GGUFTensorInfo] = []
        var byGGUF: [String: ModelParameter] = [:]
        for p in model.parameters {
            guard let name = LlamaGGUFMapping.ggufName(for: p.name) ?? LlamaGGUFMapping.ggufName(for: "model." + p.name) else {
                throw AuditError.invalidConfig("parameter '\(p.name)' has no llama.cpp tensor name, so no llama-quantize type")
            }
            let count = UInt64(clamping: p.tensor.count)
            infos.append(GGUFTensorInfo(name: name, dimensions: p.tensor.shape.reversed().map { UInt64(clamping: $0) }, type: .f32, offset: 0,
                                        elementCount: count, byteCount: count * 4, fileRange: 0..<(count * 4)))
            byGGUF[name] = p
        }
        // The mixture's attn_v / ffn_down counters advance in llama-quantize's tensor order.
        let ordered = GGUFRequantizer.order(infos)
        let types = mixture.targetTypes(ordered.map { LlamaQuantMixture.Tensor(name: $0.name, dimensions: $0.dimensions.map { Int(truncatingIfNeeded: $0) }, type: $0.type) })
        var typeOf: [String: GGMLType] = [:]
        for (info, type) in zip(ordered, types) { typeOf[info.name] = type }
        return try infos.map { info in
            guard let p = byGGUF[info.name], let type = typeOf[info.name] else {
                throw AuditError.invalidConfig("tensor '\(info.name)' was planned twice (two parameters map to one GGUF name)")
            }
            return (p, QuantizedTensor(name: p.name, ggufName: info.name, type: type.name), type)
        }
    }

    /// Replaces every parameter of `model` by dequantize(quantize(w)) in its planned type.
    @discardableResult
    public static func apply(_ model: any CausalLanguageModel, fileType: LlamaFileType) throws -> [QuantizedTensor] {
        let planned = try plan(model, fileType: fileType)
        for (p, _, type) in planned where type != .f32 {
            let rowLength = p.tensor.shape.last ?? 1
            let values = try roundTrip(p.tensor.toArray(), type: type, rowLength: rowLength, tensor: p.name)
            p.tensor.withUnsafeMutableBufferPointer { dst in for i in dst.indices { dst[i] = values[i] } }
        }
        return planned.map(\.tensor)
    }

    /// dequantize(quantize(values)) in `type`, rows of `rowLength`.
    public static func roundTrip(_ values: [Float], type: GGMLType, rowLength: Int, tensor: String) throws -> [Float] {
        do {
            let bytes = try Quantize.encode(values, as: type, rowLength: rowLength, tensor: tensor)
            let decoded = try bytes.withUnsafeBytes { try Quantize.decode($0, as: type, count: values.count, tensor: tensor) }
            guard decoded.count == values.count else {
                throw AuditError.invalidConfig("tensor '\(tensor)': \(type.name) decoded \(decoded.count) of \(values.count) values")
            }
            return decoded
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError.invalidConfig("tensor '\(tensor)' cannot go through \(type.name): \((error as? LocalizedError)?.errorDescription ?? "\(error)")")
        }
    }

    /// Counts of each type in a plan ("Q4_K × 12").
    public static func typeCounts(_ tensors: [QuantizedTensor]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for t in tensors { counts[t.type, default: 0] += 1 }
        return counts
    }
}
