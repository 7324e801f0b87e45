import TemperTensor

/// Keys and values of past positions, per block, for incremental decoding. Keys are stored
/// after RoPE, both as [batch, seen, kvHeads, headDim] (the layout attention reads).
///
/// A forward pass with a cache appends its new positions to every block and then
/// `advance`s; positions continue from `length`. Use under `noGrad` for generation.
public final class KVCache {
    public let layerCount: Int
    public let batchSize: Int
    /// Positions already stored.
    public private(set) var length = 0
    private var keys: [Tensor?]
    private var values: [Tensor?]
    /// Batch-1 caches filled outside autograd grow in place (keys, values per layer).
    private var buffers: [(SequenceBuffer, SequenceBuffer)?]

    public init(layerCount: Int, batchSize: Int = 1) {
        self.layerCount = layerCount
        self.batchSize = batchSize
        keys = Array(repeating: nil, count: layerCount)
        values = Array(repeating: nil, count: layerCount)
        buffers = Array(repeating: nil, count: layerCount)
    }

    /// Appends this step's keys and values for `layer`; returns all keys and values so far.
    func append(layer: Int, keys k: Tensor, values v: Tensor) throws -> (keys: Tensor, values: Tensor) {
        guard (0..<layerCount).contains(layer), k.shape.first == batchSize else {
            throw ModelError.invalidInput(reason: "KV cache for \(layerCount) layers × batch \(batchSize) cannot take layer \(layer) with keys \(k.shape)")
        }
        let allKeys: Tensor, allValues: Tensor
        if batchSize == 1, !GradMode.isEnabled, let (kb, vb) = try inPlace(layer: layer, keys: k, values: v) {
            // Generation: appended in place, no copy of the positions already held.
            (allKeys, allValues) = (try kb.append(k), try vb.append(v))
        } else {
            allKeys = try keys[layer].map { try concat([$0, k], axis: 1) } ?? k
            allValues = try values[layer].map { try concat([$0, v], axis: 1) } ?? v
        }
        guard allKeys.shape[1] == length + k.shape[1] else {
            throw ModelError.invalidInput(reason: "KV cache layer \(layer) holds \(allKeys.shape[1] - k.shape[1]) positions, expected \(length)")
        }
        keys[layer] = allKeys
        values[layer] = allValues
        return (allKeys, allValues)
    }

    /// The layer's growable buffers, made on first use; nil when the layer's positions were
    /// appended by copies (under autograd) and the buffers no longer hold them all.
    private func inPlace(layer: Int, keys k: Tensor, values v: Tensor) throws -> (SequenceBuffer, SequenceBuffer)? {
        guard k.rank >= 2, v.rank >= 2 else { return nil }
        if keys[layer] == nil {
            buffers[layer] = (try SequenceBuffer(positionShape: Array(k.shape.dropFirst(2))),
                              try SequenceBuffer(positionShape: Array(v.shape.dropFirst(2))))
        }
        guard let (kb, vb) = buffers[layer], kb.length == keys[layer]?.shape[1] ?? 0,
              kb.positionShape == Array(k.shape.dropFirst(2)), vb.positionShape == Array(v.shape.dropFirst(2)) else { return nil }
        return (kb, vb)
    }

    /// Marks `count` new positions as stored (after every layer appended them).
    func advance(by count: Int) { length += count }

    /// Forgets everything.
    public func reset() {
        length = 0
        keys = Array(repeating: nil, count: layerCount)
        values = Array(repeating: nil, count: layerCount)
        buffers = Array(repeating: nil, count: layerCount)
    }
}
