import TemperTensor

/// Unit degeneracy (METHODS.md §9, the third kind): MLP units whose gate is > 0 on exactly
/// the same tokens. For SiLU (Llama `gate_proj`) and GELU (GPT-2 `c_fc`) the activation is
/// positive exactly where the pre-activation is, so the pre-activation's sign is the pattern.
struct UnitPatterns {
    let tokens: Int
    let words: Int
    /// [block][unit]: one bit per dataset token, set where the gate is positive.
    private(set) var bits: [[[UInt64]]]
    private var filled = 0

    init(blocks: Int, tokens: Int) {
        self.tokens = tokens
        words = (tokens + 63) / 64
        bits = [[[UInt64]]](repeating: [], count: blocks)
    }

    mutating func add(_ gates: [Tensor], _ batch: DegeneracyBatch) throws {
        for (block, gate) in gates.enumerated() where block < bits.count {
            let units = gate.shape[gate.rank - 1]
            if bits[block].isEmpty { bits[block] = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: units) }
            gate.withUnsafeBufferPointer { p in
                var token = filled
                for (position, real) in batch.mask.enumerated() where real {
                    let base = position * units
                    let (word, bit) = (token / 64, UInt64(1) << UInt64(token % 64))
                    for u in 0..<units where p[base + u] > 0 { bits[block][u][word] |= bit }
                    token += 1
                }
            }
        }
        filled += batch.realCount
    }

    /// Per block: units, units never on, units always on, and groups (size ≥ 2) of units
    /// sharing one pattern among those that switch.
    func summary() -> [UnitDegeneracy] {
        bits.enumerated().map { block, units in
            var groups: [[UInt64]: Int] = [:]
            var (dead, always) = (0, 0)
            let full = (0..<words).map { w -> UInt64 in
                let remaining = tokens - w * 64
                return remaining >= 64 ? ~0 : (UInt64(1) << UInt64(remaining)) - 1
            }
            for pattern in units {
                if pattern.allSatisfy({ $0 == 0 }) { dead += 1; continue }
                if pattern == full { always += 1; continue }
                groups[pattern, default: 0] += 1
            }
            let shared = groups.values.filter { $0 > 1 }
            return UnitDegeneracy(block: block, units: units.count, neverActive: dead, alwaysActive: always,
                                  distinctPatterns: groups.count, sharedGroups: shared.count,
                                  unitsInSharedGroups: shared.reduce(0, +), largestGroup: groups.values.max() ?? 0)
        }
    }
}

/// Unit degeneracy of one block's MLP. `redundant` counts the units that add no new pattern:
/// all dead and always-on units beyond one of each, plus each shared group beyond its first unit.
public struct UnitDegeneracy: Codable, Sendable, Equatable {
    public var block: Int
    public var units: Int
    public var neverActive: Int
    public var alwaysActive: Int
    public var distinctPatterns: Int
    public var sharedGroups: Int
    public var unitsInSharedGroups: Int
    public var largestGroup: Int

    public var redundant: Int {
        max(0, neverActive - 1) + max(0, alwaysActive - 1) + (unitsInSharedGroups - sharedGroups)
    }

    enum CodingKeys: String, CodingKey {
        case block, units, neverActive = "never_active", alwaysActive = "always_active", distinctPatterns = "distinct_patterns"
        case sharedGroups = "shared_groups", unitsInSharedGroups = "units_in_shared_groups", largestGroup = "largest_group", redundant
    }

    public init(block: Int, units: Int, neverActive: Int, alwaysActive: Int, distinctPatterns: Int, sharedGroups: Int,
                unitsInSharedGroups: Int, largestGroup: Int) {
        self.block = block; self.units = units; self.neverActive = neverActive; self.alwaysActive = alwaysActive
        self.distinctPatterns = distinctPatterns; self.sharedGroups = sharedGroups
        self.unitsInSharedGroups = unitsInSharedGroups; self.largestGroup = largestGroup
    }

    /// Reads the counted fields; `redundant` is derived from them, so a stored one is ignored.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(block: try c.decode(Int.self, forKey: .block), units: try c.decode(Int.self, forKey: .units),
                  neverActive: try c.decode(Int.self, forKey: .neverActive), alwaysActive: try c.decode(Int.self, forKey: .alwaysActive),
                  distinctPatterns: try c.decode(Int.self, forKey: .distinctPatterns), sharedGroups: try c.decode(Int.self, forKey: .sharedGroups),
                  unitsInSharedGroups: try c.decode(Int.self, forKey: .unitsInSharedGroups), largestGroup: try c.decode(Int.self, forKey: .largestGroup))
    }

    /// Writes every field and the derived `redundant` (the report's JSON carries it).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(block, forKey: .block); try c.encode(units, forKey: .units)
        try c.encode(neverActive, forKey: .neverActive); try c.encode(alwaysActive, forKey: .alwaysActive)
        try c.encode(distinctPatterns, forKey: .distinctPatterns); try c.encode(sharedGroups, forKey: .sharedGroups)
        try c.encode(unitsInSharedGroups, forKey: .unitsInSharedGroups); try c.encode(largestGroup, forKey: .largestGroup)
        try c.encode(redundant, forKey: .redundant)
    }
}
