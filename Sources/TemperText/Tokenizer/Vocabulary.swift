/// A token ↔ id table keyed by exact UTF-8 bytes (never by canonically-equivalent Strings).
struct Vocabulary: Sendable {
    private(set) var ids: [[UInt8]: Int] = [:]
    private(set) var tokens: [Int: String] = [:]
    /// Longest token, in Unicode scalars (bounds WordPiece's greedy search).
    private(set) var maxScalarCount = 0

    init() {}

    /// Reads a `{"token": id, …}` object. Later duplicates win, as in the crate's map.
    init(_ r: ComponentReader, field: String) throws {
        let pairs = try r.object(field)
        ids.reserveCapacity(pairs.count)
        tokens.reserveCapacity(pairs.count)
        for (token, value) in pairs {
            guard case let .int(id) = value, id >= 0, id <= Int(UInt32.max) else {
                throw r.invalid(field, "id of token '\(token)' is not a non-negative 32-bit integer")
            }
            insert(token, id: id)
        }
    }

    mutating func insert(_ token: String, id: Int) {
        let key = Array(token.utf8)
        if let old = ids[key], tokens[old].map({ Array($0.utf8) == key }) == true { tokens[old] = nil }
        ids[key] = id
        tokens[id] = token
        maxScalarCount = max(maxScalarCount, token.unicodeScalars.count)
    }

    /// Entry count (the crate's `get_vocab_size`).
    var count: Int { ids.count }

    func id(_ bytes: [UInt8]) -> Int? { ids[bytes] }
    func id(_ token: String) -> Int? { ids[Array(token.utf8)] }
    func token(_ id: Int) -> String? { tokens[id] }
}
