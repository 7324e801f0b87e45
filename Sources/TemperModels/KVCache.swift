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

    public init(layerCount: Int, batchSize: Int = 1) {
        self.layerCount = layerCount
        self.batchSize = batchSize
        keys = Array(repeating: nil, count: layerCount)
        values = Array(repeating: nil, count: layerCount)
    }

    /// Appends this step's keys and values for `layer`; returns all keys and values so far.
    func append(layer: Int, keys k: Tensor, values v: Tensor) throws -> (keys: Tensor, values: Tensor) {
        guard (0..<layerCount).contains(layer), k.shape.first == batchSize else {
            throw ModelError.invalidInput(reason: "KV cache for \(layerCount) layers × batch \(batchSize) cannot take layer \(layer) with keys \(k.shape)")
        }
        let allKeys = try keys[layer].map { try concat([$0, k], axis: 1) } ?? k
        let allValues = try values[layer].map { try concat([$0, v], axis: 1) } ?? v
        guard allKeys.shape[1] == length + k.shape[1] else {
            throw ModelError.invalidInput(reason: "KV cache layer \(layer) holds \(allKeys.shape[1] - k.shape[1]) positions, expected \(length)")
        }
        keys[layer] = allKeys
        values[layer] = allValues
        return (allKeys, allValues)
    }

    /// Marks `count` new positions as stored (after every layer appended them).
    func advance(by count: Int) { length += count }

    /// Forgets everything.
    public func reset() {
        length = 0
        keys = Array(repeating: nil, count: layerCount)
        values = Array(repeating: nil, count: layerCount)
    }
}
