import Foundation

/// Which dims rotate together.
public enum RoPELayout: Sendable, Equatable {
    /// Hugging Face `rotate_half`: dim i pairs with dim i + rotaryDim/2 (Llama, Qwen, NeoX).
    case halves
    /// GPT-J: dims 2i and 2i+1 pair up.
    case interleaved
}

/// Cosines and sines of rotary position embeddings for a list of positions, computed in
/// f32 the way Hugging Face does (inv_freq = 1 / θ^(2i/d), angle = position · inv_freq).
public struct RoPETable: Sendable {
    public let rotaryDim: Int
    public let layout: RoPELayout
    /// Positions the rows belong to: either one per sequence step (shared across the batch)
    /// or batch × steps (per-sequence positions, e.g. with left padding).
    public let positions: [Int]
    let cos: [Float]
    let sin: [Float]

    /// Standard RoPE with base `theta` over the first `rotaryDim` dims of each head.
    public init(rotaryDim: Int, theta: Float, positions: [Int], layout: RoPELayout = .halves) throws {
        guard rotaryDim > 0, rotaryDim % 2 == 0, theta > 0 else {
            throw TensorError.invalidArgument(op: "RoPETable", reason: "rotaryDim \(rotaryDim) must be even and positive, theta \(theta) positive")
        }
        let inverse = (0..<(rotaryDim / 2)).map { i in 1 / Foundation.pow(theta, Float(2 * i) / Float(rotaryDim)) }
        try self.init(inverseFrequencies: inverse, positions: positions, layout: layout)
    }

    /// RoPE from explicit inverse frequencies (for scaled variants computed by the caller).
    public init(inverseFrequencies: [Float], positions: [Int], layout: RoPELayout = .halves) throws {
        guard !inverseFrequencies.isEmpty else { throw TensorError.invalidArgument(op: "RoPETable", reason: "no frequencies") }
        let half = inverseFrequencies.count
        rotaryDim = 2 * half
        self.layout = layout
        self.positions = positions
        var c = [Float](repeating: 0, count: positions.count * half), s = c
        for (row, position) in positions.enumerated() {
            for i in 0..<half {
                let angle = Float(position) * inverseFrequencies[i]
                c[row * half + i] = Foundation.cos(angle)
                s[row * half + i] = Foundation.sin(angle)
            }
        }
        cos = c
        sin = s
    }
}

extension Tensor {
    /// Rotates q or k laid out [batch, seq, heads, headDim] by the table's positions.
    public func rope(_ table: RoPETable) throws -> Tensor {
        guard rank == 4, table.rotaryDim <= shape[3],
              table.positions.count == shape[1] || table.positions.count == shape[0] * shape[1] else {
            throw TensorError.invalidShape(op: "rope [batch, seq, heads, headDim] with \(table.positions.count) positions, rotaryDim \(table.rotaryDim)",
                                           shape: shape, reason: "does not fit the table")
        }
        let out = Tensor.empty(shape)
        RoPEKernel.apply(table, x: pointer, y: out.pointer, shape: shape, inverse: false)
        return Tensor.record(.rope(table), out, inputs: [self])
    }
}

enum RoPEKernel {
    /// y = rotate(x, ±angle); `inverse` rotates backwards (the backward rule).
    static func apply(_ table: RoPETable, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, shape: [Int], inverse: Bool) {
        let (batch, steps, heads, dim) = (shape[0], shape[1], shape[2], shape[3])
        let half = table.rotaryDim / 2
        let shared = table.positions.count == steps
        let sign: Float = inverse ? -1 : 1
        table.cos.withUnsafeBufferPointer { cosTable in
            table.sin.withUnsafeBufferPointer { sinTable in
                Parallel.rows(batch * steps, rowCost: heads * dim * 2) { range in
                    for bt in range {
                        let row = (shared ? bt % steps : bt) * half
                        let c = cosTable.baseAddress! + row, s = sinTable.baseAddress! + row
                        for h in 0..<heads {
                            let xr = x + (bt * heads + h) * dim, yr = y + (bt * heads + h) * dim
                            for i in 0..<half {
                                let (p, q) = table.layout == .halves ? (i, i + half) : (2 * i, 2 * i + 1)
                                let sn = sign * s[i]
                                yr[p] = xr[p] * c[i] - xr[q] * sn
                                yr[q] = xr[q] * c[i] + xr[p] * sn
                            }
                            for j in table.rotaryDim..<dim { yr[j] = xr[j] }
                        }
                    }
                }
            }
        }
    }
}
