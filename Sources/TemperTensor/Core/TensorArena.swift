/// Many tensors carved out of one allocation: a model's weights, so that every matrix lies
/// on the transparent huge pages the one large buffer gets (`BufferCache.fresh`: ≥ 2 MiB
/// buffers are 2 MiB-aligned and `madvise(MADV_HUGEPAGE)`). Decoding streams all weights once
/// per token and the hardware prefetchers stop at every 4 KiB page: measured here, 2 threads
/// reading f32 rows ran at 26–63 GB/s on 4 KiB pages and 63–73 GB/s on huge pages, and the
/// 0.4–1.3 MB attention matrices of SmolLM2 were too small to get huge pages on their own.
///
/// Each tensor starts on a 64-byte boundary. The tensors are ordinary leaves (views of the
/// arena's storage, as a reshape is a view): optimizers update them in place; the memory is
/// freed when the last of them is gone.
public final class TensorArena {
    private let storage: TensorStorage
    private var used = 0

    /// Floats per alignment step (64 bytes).
    static let alignmentElements = 16

    /// Room for tensors of these element counts (each rounded up to 64 bytes); nil when the
    /// total overflows.
    public init?(elementCounts: [Int]) {
        var total = 0
        for count in elementCounts {
            guard count >= 0 else { return nil }
            let (rounded, o1) = count.addingReportingOverflow(Self.alignmentElements - 1)
            let (sum, o2) = total.addingReportingOverflow(rounded / Self.alignmentElements * Self.alignmentElements)
            guard !o1, !o2 else { return nil }
            total = sum
        }
        guard total.multipliedReportingOverflow(by: 4).overflow == false else { return nil }
        storage = TensorStorage(uninitializedCount: total)
        capacity = total
    }

    /// Elements the arena holds in all.
    public let capacity: Int
    /// Elements still free.
    public var remaining: Int { capacity - used }

    /// The next tensor of `shape`, its values written by `fill` (which must write every
    /// element: the memory is not cleared); nil when the arena has no room left for it.
    public func tensor(_ shape: [Int], fill: (UnsafeMutableBufferPointer<Float>) throws -> Void) throws -> Tensor? {
        let count = try Shape.checkedCount(shape, op: "TensorArena.tensor")
        let step = (count + Self.alignmentElements - 1) / Self.alignmentElements * Self.alignmentElements
        guard step <= remaining else { return nil }
        let slice = TensorStorage(offset: used, count: count, of: storage)
        try fill(slice.buffer)
        used += step
        return Tensor(storage: slice, shape: shape)
    }
}
