/// A reference-counted, 64-byte aligned buffer of `Float` (large ones recycled by `BufferCache`). Tensors that are views of one
/// another (reshape, detach) share one storage; every other op allocates a new one.
/// Not `Sendable`: a storage is mutated in place only by optimizers and `assign`, always
/// from the thread that owns the tensor.
final class TensorStorage {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    /// Set when this storage is a range of a larger one (`SequenceBuffer`'s prefixes,
    /// `TensorArena`'s tensors): the larger one owns the memory and is kept alive by this reference.
    private let owner: TensorStorage?

    /// Uninitialized storage; the caller must write every element.
    init(uninitializedCount count: Int) {
        self.count = count
        owner = nil
        let raw = BufferCache.shared.allocate(bytes: max(count, 1) * 4)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// The first `count` elements of `storage`, sharing its memory.
    convenience init(prefix count: Int, of storage: TensorStorage) {
        self.init(offset: 0, count: count, of: storage)
    }

    /// Elements `offset ..< offset + count` of `storage` (clamped to it), sharing its memory.
    init(offset: Int, count: Int, of storage: TensorStorage) {
        let start = Swift.max(0, Swift.min(offset, storage.count))
        self.count = Swift.max(0, Swift.min(count, storage.count - start))
        owner = storage
        pointer = storage.pointer + start
    }

    convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        if value == 0 {
            pointer.update(repeating: 0, count: count)
        } else {
            pointer.initialize(repeating: value, count: count)
        }
    }

    convenience init(copying source: UnsafePointer<Float>, count: Int) {
        self.init(uninitializedCount: count)
        pointer.update(from: source, count: count)
    }

    deinit {
        if owner == nil { BufferCache.shared.release(UnsafeMutableRawPointer(pointer), bytes: max(count, 1) * 4) }
    }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}
