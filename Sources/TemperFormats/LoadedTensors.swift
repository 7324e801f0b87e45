import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every tensor of a file or checkpoint copied into one owned buffer, each tensor starting on
/// a 64-byte boundary. Loading is memcpy-speed: the buffer is a fresh anonymous mapping
/// advised to use huge pages (page faults, not copying, dominate loading into 4 KB pages),
/// filled with pread straight from the page cache, in parallel chunks.
public final class LoadedTensors: @unchecked Sendable {
    // @unchecked: the storage is written only inside `load` and is read-only afterwards.
    public let records: [TensorRecord]
    /// Where each record's bytes start in the storage.
    public let offsets: [Int]
    private let storage: UnsafeMutableRawPointer?
    private let capacity: Int
    private let indexByName: [String: Int]

    public static let alignment = 64
    private static let chunk = 8 << 20

    /// Loads `items` (record + the mapped file holding it) in the given order.
    public static func load(_ items: [(record: TensorRecord, file: MappedFile)]) throws -> LoadedTensors {
        var offsets: [Int] = []
        offsets.reserveCapacity(items.count)
        var total = 0
        for item in items {
            guard item.record.byteCount <= UInt64(Int.max - total - alignment) else {
                throw FormatError.invalidShape(path: item.file.url.path, tensor: item.record.name, reason: "total size too large to load")
            }
            offsets.append(total)
            total += (Int(item.record.byteCount) + alignment - 1) / alignment * alignment
        }
        let storage = try allocate(total)
        let loaded = LoadedTensors(records: items.map(\.record), offsets: offsets, storage: storage.pointer, capacity: storage.capacity)
        guard let base = storage.pointer else { return loaded }
        // Work items: (item, offset within the tensor, length), large tensors split into chunks.
        var work: [(item: Int, start: Int, count: Int)] = []
        for (i, item) in items.enumerated() {
            let count = Int(item.record.byteCount)
            var start = 0
            while start < count {
                work.append((i, start, min(chunk, count - start)))
                start += chunk
            }
        }
        let failure = FirstError()
        let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, work.count))
        let (jobs, starts, address) = (work, offsets, UInt(bitPattern: base))  // immutable, Sendable copies
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            guard let base = UnsafeMutableRawPointer(bitPattern: address) else { return }
            for w in stride(from: thread, to: jobs.count, by: threads) where !failure.isSet {
                let (i, start, count) = jobs[w]
                do {
                    try items[i].file.read(into: base + starts[i] + start,
                                           offset: items[i].record.fileRange.lowerBound + UInt64(start), count: count)
                } catch { failure.set(error) }
            }
        }
        if let error = failure.error { throw error }
        return loaded
    }

    private init(records: [TensorRecord], offsets: [Int], storage: UnsafeMutableRawPointer?, capacity: Int) {
        self.records = records; self.offsets = offsets; self.storage = storage; self.capacity = capacity
        var index: [String: Int] = [:]
        for (i, record) in records.enumerated() where index[record.name] == nil { index[record.name] = i }
        indexByName = index
    }

    deinit { if let storage { munmap(storage, capacity) } }

    /// Anonymous zeroed mapping, rounded to 2 MB and advised to use transparent huge pages.
    private static func allocate(_ size: Int) throws -> (pointer: UnsafeMutableRawPointer?, capacity: Int) {
        guard size > 0 else { return (nil, 0) }
        let huge = 2 << 20
        let capacity = (size + huge - 1) / huge * huge
        let pointer = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let pointer, pointer != MAP_FAILED else {
            throw FormatError.io(path: "", reason: "cannot allocate \(size) bytes: \(String(cString: strerror(errno)))")
        }
        #if os(Linux)
        _ = madvise(pointer, capacity, MADV_HUGEPAGE)
        #endif
        return (pointer, capacity)
    }

    public var count: Int { records.count }

    /// Bytes of the `index`-th tensor; valid while this object is alive.
    public func bytes(at index: Int) -> UnsafeRawBufferPointer {
        let length = Int(records[index].byteCount)
        guard let storage, length > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: storage + offsets[index], count: length)
    }

    /// Bytes of the tensor called `name`, if loaded.
    public func bytes(named name: String) -> UnsafeRawBufferPointer? { indexByName[name].map { bytes(at: $0) } }

    /// A copy of the `index`-th tensor's bytes as an array.
    public func array(at index: Int) -> [UInt8] { [UInt8](bytes(at: index)) }
}

/// Keeps the first error thrown by any worker thread.
private final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    var isSet: Bool { lock.withLock { stored != nil } }
    var error: (any Error)? { lock.withLock { stored } }
    func set(_ error: any Error) { lock.withLock { if stored == nil { stored = error } } }
}
