import Testing
@testable import TemperTensor

@Suite struct TensorArenaTests {
    @Test func tensorsAreAlignedDisjointAndKeepTheirValues() throws {
        let arena = try #require(TensorArena(elementCounts: [3, 16, 17, 0]))
        #expect(arena.capacity == 16 + 16 + 32)
        var tensors: [Tensor] = []
        for (i, shape) in [[3], [4, 4], [17], [0]].enumerated() {
            let t = try #require(try arena.tensor(shape) { out in
                for j in out.indices { out[j] = Float(100 * i + j) }
            })
            #expect(t.shape == shape && t.count == shape.reduce(1, *))
            #expect(Int(bitPattern: t.pointer) % 64 == 0)
            tensors.append(t)
        }
        #expect(arena.remaining == 0)
        for (i, t) in tensors.enumerated() { #expect(t.toArray() == (0..<t.count).map { Float(100 * i + $0) }) }
        // In-place updates (optimizers) touch only their own tensor.
        try tensors[1].assign(try Tensor(shape: [4, 4], repeating: -1))
        #expect(tensors[0].toArray() == [0, 1, 2] && tensors[2].toArray().first == 200)
    }

    @Test func aFullArenaGivesNilAndNothingIsWritten() throws {
        let arena = try #require(TensorArena(elementCounts: [8]))
        var called = false
        #expect(try arena.tensor([17]) { _ in called = true } == nil)
        #expect(!called && arena.remaining == 16)
        #expect(throws: TensorError.self) { try arena.tensor([-1]) { _ in } }
    }

    @Test func overflowingTotalsAreRefused() {
        #expect(TensorArena(elementCounts: [Int.max]) == nil)
        #expect(TensorArena(elementCounts: [Int.max / 4, Int.max / 4]) == nil)
        #expect(TensorArena(elementCounts: [-1]) == nil)
    }

    /// The tensors outlive the arena object: the storage is owned by each of them.
    @Test func tensorsKeepTheMemoryAlive() throws {
        var arena: TensorArena? = try #require(TensorArena(elementCounts: [1 << 20]))
        let t = try #require(try arena?.tensor([1 << 20]) { $0.update(repeating: 2) })
        arena = nil
        #expect(t.toArray().allSatisfy { $0 == 2 })
    }

    /// A weight-sized arena is one 2 MiB-aligned buffer (advised for huge pages).
    @Test func largeArenasAreHugePageAligned() throws {
        let arena = try #require(TensorArena(elementCounts: [1 << 20, 5]))
        let first = try #require(try arena.tensor([1 << 20]) { $0.update(repeating: 0) })
        #expect(Int(bitPattern: first.pointer) % BufferCache.hugePageBytes == 0)
    }
}
