import Foundation
import TemperTensor

/// How `generate` picks tokens.
public struct GenerationConfig: Sendable, Equatable {
    public var maxNewTokens: Int
    /// 0 = greedy (argmax, first index on ties). > 0 = sampling from softmax(logits / T).
    public var temperature: Float
    /// Sampling keeps the k most likely tokens (ties with the k-th kept, as transformers).
    public var topK: Int?
    /// Sampling keeps the smallest set of most likely tokens whose probability reaches p
    /// (transformers' `TopPLogitsWarper`, applied after top-k).
    public var topP: Float?
    /// Tokens that end generation (included in the output). nil = the model's eos ids.
    public var stopTokens: [Int]?
    /// Seed of the sampling RNG: the same seed gives the same tokens.
    public var seed: UInt64
    /// transformers' `RepetitionPenaltyLogitsProcessor`: before choosing, the logit of every
    /// token already in the sequence (prompt included) is divided by this when positive and
    /// multiplied by it when negative. 1 = off.
    public var repetitionPenalty: Float

    public init(maxNewTokens: Int = 32, temperature: Float = 0, topK: Int? = nil, topP: Float? = nil,
                stopTokens: [Int]? = nil, seed: UInt64 = 0, repetitionPenalty: Float = 1) {
        self.repetitionPenalty = repetitionPenalty
        self.maxNewTokens = maxNewTokens
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.stopTokens = stopTokens
        self.seed = seed
    }

    func validate() throws {
        guard maxNewTokens >= 0 else { throw ModelError.invalidInput(reason: "maxNewTokens must be ≥ 0, got \(maxNewTokens)") }
        guard temperature >= 0, temperature.isFinite else { throw ModelError.invalidInput(reason: "temperature must be ≥ 0, got \(temperature)") }
        if let topK, topK < 1 { throw ModelError.invalidInput(reason: "topK must be ≥ 1, got \(topK)") }
        if let topP, !(topP > 0 && topP <= 1) { throw ModelError.invalidInput(reason: "topP must be in (0, 1], got \(topP)") }
        guard repetitionPenalty > 0, repetitionPenalty.isFinite else {
            throw ModelError.invalidInput(reason: "repetitionPenalty must be > 0, got \(repetitionPenalty)")
        }
    }
}

public enum StopReason: String, Sendable, Equatable {
    case stopToken, maxTokens
    /// The model's position limit (GPT-2's n_positions) was reached.
    case contextFull
}

public struct GenerationResult: Sendable, Equatable {
    /// The new tokens (without the prompt).
    public var tokens: [Int]
    public var stopReason: StopReason
    /// Wall time of the prefill pass and of the single-token passes (not part of `==`:
    /// two runs that choose the same tokens are equal).
    public var timings = GenerationTimings()

    public init(tokens: [Int], stopReason: StopReason, timings: GenerationTimings = GenerationTimings()) {
        self.tokens = tokens
        self.stopReason = stopReason
        self.timings = timings
    }

    public static func == (a: GenerationResult, b: GenerationResult) -> Bool {
        a.tokens == b.tokens && a.stopReason == b.stopReason
    }
}

/// Where generation spent its time, measured around the two phases (each pass includes
/// choosing its token): the prefill is the one pass over the whole prompt (it yields the
/// first new token), decoding is every single-token pass after it, as llama-bench's `pp`
/// and `tg` tests count them.
public struct GenerationTimings: Sendable, Equatable {
    public var prefillTokens = 0
    public var prefillSeconds = 0.0
    public var decodeTokens = 0
    public var decodeSeconds = 0.0

    public init() {}

    public var prefillTokensPerSecond: Double? { prefillSeconds > 0 ? Double(prefillTokens) / prefillSeconds : nil }
    public var decodeTokensPerSecond: Double? { decodeSeconds > 0 ? Double(decodeTokens) / decodeSeconds : nil }

    mutating func record(_ seconds: Double, tokens: Int, prefill: Bool) {
        if prefill { prefillTokens += tokens; prefillSeconds += seconds } else { decodeTokens += tokens; decodeSeconds += seconds }
    }
}

extension CausalLanguageModel {
    /// Continues `prompt` (one sequence) with a KV cache: one prefill pass, then one
    /// single-token pass per new token. `onToken` sees each token as it is chosen and may
    /// return false to stop early (reason `.stopToken`).
    public func generate(prompt: [Int], config: GenerationConfig = GenerationConfig(),
                         onToken: ((Int) -> Bool)? = nil) throws -> GenerationResult {
        try config.validate()
        guard !prompt.isEmpty else { throw ModelError.invalidInput(reason: "generation needs a non-empty prompt") }
        let stops = Set(config.stopTokens ?? eosTokenIds)
        var sampler = TokenSampler(config: config)
        return try noGrad {
            let cache = makeCache()
            var tokens: [Int] = []
            var input = prompt
            var seen = Set(prompt)
            var timings = GenerationTimings()
            while tokens.count < config.maxNewTokens {
                if let limit = maxPositions, cache.length + input.count > limit {
                    return GenerationResult(tokens: tokens, stopReason: .contextFull, timings: timings)
                }
                let started = ContinuousClock.now
                let out = try forward(try TokenBatch(input), options: ForwardOptions(logits: .last), cache: cache)
                guard let logits = out.logits else { throw ModelError.invalidInput(reason: "no logits") }
                let next: Int
                if config.repetitionPenalty == 1 {
                    next = try logits.withUnsafeBufferPointer { try sampler.next($0) }
                } else {
                    var penalized = logits.withUnsafeBufferPointer { Array($0) }
                    TokenSampler.penalize(&penalized, seen: seen, by: config.repetitionPenalty)
                    next = try penalized.withUnsafeBufferPointer { try sampler.next($0) }
                }
                timings.record(started.secondsElapsed, tokens: input.count, prefill: tokens.isEmpty)
                tokens.append(next)
                seen.insert(next)
                if stops.contains(next) || onToken?(next) == false {
                    return GenerationResult(tokens: tokens, stopReason: .stopToken, timings: timings)
                }
                input = [next]
            }
            return GenerationResult(tokens: tokens, stopReason: .maxTokens, timings: timings)
        }
    }
}

/// Greedy choice or seeded sampling over one row of logits.
struct TokenSampler {
    let config: GenerationConfig
    var rng: TensorRNG

    init(config: GenerationConfig) {
        self.config = config
        rng = TensorRNG(seed: config.seed)
    }

    mutating func next(_ logits: UnsafeBufferPointer<Float>) throws -> Int {
        guard !logits.isEmpty else { throw ModelError.invalidInput(reason: "empty logits") }
        if config.temperature == 0 { return Self.argmax(logits) }
        var scaled = logits.map { $0 / config.temperature }
        if let k = config.topK, k < scaled.count {
            let kth = scaled.sorted(by: >)[k - 1]
            for i in scaled.indices where scaled[i] < kth { scaled[i] = -.infinity }
        }
        if let p = config.topP, p < 1 { Self.keepTopP(&scaled, p) }
        let maximum = scaled.max() ?? 0
        guard maximum.isFinite else { throw ModelError.invalidInput(reason: "logits are not finite") }
        let weights = scaled.map { Double(Foundation.exp($0 - maximum)) }
        let total = weights.reduce(0, +)
        var u = rng.nextDouble() * total
        for (i, w) in weights.enumerated() where w > 0 {
            u -= w
            if u < 0 { return i }
        }
        return weights.lastIndex { $0 > 0 } ?? Self.argmax(logits)
    }

    /// `RepetitionPenaltyLogitsProcessor`: `logit < 0 ? logit * penalty : logit / penalty`
    /// for every token id seen so far (ids outside the row are ignored).
    static func penalize(_ logits: inout [Float], seen: Set<Int>, by penalty: Float) {
        for id in seen where id >= 0 && id < logits.count {
            logits[id] = logits[id] < 0 ? logits[id] * penalty : logits[id] / penalty
        }
    }

    static func argmax(_ values: UnsafeBufferPointer<Float>) -> Int {
        var best = 0
        for i in 1..<values.count where values[i] > values[best] { best = i }
        return best
    }

    /// transformers: sort ascending, drop tokens whose cumulative probability ≤ 1 − p,
    /// always keeping the most likely one.
    static func keepTopP(_ logits: inout [Float], _ p: Float) {
        let order = logits.indices.sorted { logits[$0] < logits[$1] }
        let maximum = logits[order[order.count - 1]]
        let exps = order.map { Foundation.exp(logits[$0] - maximum) }
        let total = exps.reduce(0, +)
        var cumulative: Float = 0
        for (rank, index) in order.enumerated() where rank < order.count - 1 {
            cumulative += exps[rank] / total
            if cumulative <= 1 - p { logits[index] = -.infinity }
        }
    }
}
