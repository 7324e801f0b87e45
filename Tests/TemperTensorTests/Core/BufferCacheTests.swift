import Testing
@testable import TemperTensor

@Suite(.serialized) struct BufferCacheTests {
    @Test func sizeClassesBoundSlack() {
        #expect(BufferCache.sizeClass(100) == 100)
        for bytes in [65_537, 100_000, 1 << 20, (1 << 20) + 1, 123_456_789] {
            let size = BufferCache.sizeClass(bytes)
            #expect(size >= bytes && Double(size) <= Double(bytes) * 1.25 + 64)
            #expect(BufferCache.sizeClass(size) == size)
        }
    }

    @Test func largeBuffersAreReusedAndTrimmable() throws {
        let cache = BufferCache()
        let a = cache.allocate(bytes: 300_000)
        cache.release(a, bytes: 300_000)
        #expect(cache.bytesCached == BufferCache.sizeClass(300_000))
        let b = cache.allocate(bytes: 290_000) // same size class
        #expect(a == b && cache.bytesCached == 0)
        cache.release(b, bytes: 290_000)
        cache.trim(limit: 0)
        #expect(cache.bytesCached == 0)
        let c = cache.allocate(bytes: 300_000)
        cache.release(c, bytes: 300_000) // over the limit: freed, not cached
        #expect(cache.bytesCached == 0)
    }

    /// Recycled storage is re-initialised (other suites run concurrently, so which block
    /// comes back is not asserted).
    @Test func recycledTensorsAreInitialised() throws {
        do { _ = try Tensor(shape: [1 << 18], repeating: 7) }
        let zeros = try Tensor.zeros([1 << 18])
        #expect(zeros.toArray().allSatisfy { $0 == 0 })
        let reused = try Tensor(shape: [1 << 18], repeating: 3)
        #expect(reused.toArray().allSatisfy { $0 == 3 })
        #expect(TensorBackend.threads >= 1 && TensorBackend.blasThreads == 1)
    }
}
