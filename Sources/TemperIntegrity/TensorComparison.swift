import Foundation
import TemperFormats
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where one side's tensor lives.
struct TensorSource: Sendable {
    var path: String
    var record: TensorRecord
}

/// Sums gathered while streaming two tensors side by side (in f64).
struct ComparisonStats: Sendable, Equatable {
    var bytesEqual = true
    var sumSquaredDifference = 0.0
    var sumSquaredBase = 0.0
    var maxAbsDifference = 0.0
    var numeric = true
}

/// Streams two tensors of equal element count in chunks (bounded memory) and compares them.
enum TensorComparison {
    static let elementsPerChunk = 1 << 18

    /// Byte equality always; numeric sums when both dtypes decode and the element counts agree.
    static func compare(_ a: TensorSource, _ b: TensorSource) throws -> ComparisonStats {
        var stats = ComparisonStats()
        // Counts from byte lengths: the reader has checked them against the shapes.
        let count = Int(a.record.byteCount) / a.record.dtype.size
        let countB = Int(b.record.byteCount) / b.record.dtype.size
        stats.numeric = ElementDecoder.canDecode(a.record.dtype) && ElementDecoder.canDecode(b.record.dtype) && count == countB
        if !stats.numeric {
            let sameLayout = a.record.dtype == b.record.dtype && a.record.byteCount == b.record.byteCount
            stats.bytesEqual = try sameLayout && bytesEqual(a, b)
            return stats
        }
        let fa = try openFile(a.path), fb = try openFile(b.path)
        defer { close(fa); close(fb) }
        let sa = a.record.dtype.size, sb = b.record.dtype.size
        let rawA = UnsafeMutableRawBufferPointer.allocate(byteCount: elementsPerChunk * sa, alignment: 16)
        let rawB = UnsafeMutableRawBufferPointer.allocate(byteCount: elementsPerChunk * sb, alignment: 16)
        let va = UnsafeMutablePointer<Double>.allocate(capacity: elementsPerChunk)
        let vb = UnsafeMutablePointer<Double>.allocate(capacity: elementsPerChunk)
        defer { rawA.deallocate(); rawB.deallocate(); va.deallocate(); vb.deallocate() }
        stats.bytesEqual = a.record.dtype == b.record.dtype
        var done = 0
        while done < count {
            let n = min(elementsPerChunk, count - done)
            try readFully(fa, a.path, rawA, count: n * sa, offset: a.record.fileRange.lowerBound + UInt64(done * sa))
            try readFully(fb, b.path, rawB, count: n * sb, offset: b.record.fileRange.lowerBound + UInt64(done * sb))
            if stats.bytesEqual, !equalBytes(rawA, rawB, n * sa) { stats.bytesEqual = false }
            ElementDecoder.decode(a.record.dtype, UnsafeRawBufferPointer(rawA), count: n, into: va)
            ElementDecoder.decode(b.record.dtype, UnsafeRawBufferPointer(rawB), count: n, into: vb)
            var ssd = 0.0, ssa = 0.0, maxAbs = stats.maxAbsDifference
            for i in 0..<n {
                let d = vb[i] - va[i]
                ssd += d * d
                ssa += va[i] * va[i]
                let m = abs(d)
                if m > maxAbs || m.isNaN { maxAbs = m.isNaN ? .nan : m }
            }
            stats.sumSquaredDifference += ssd
            stats.sumSquaredBase += ssa
            stats.maxAbsDifference = maxAbs
            done += n
        }
        return stats
    }

    private static func bytesEqual(_ a: TensorSource, _ b: TensorSource) throws -> Bool {
        let fa = try openFile(a.path), fb = try openFile(b.path)
        defer { close(fa); close(fb) }
        let chunk = 4 << 20
        let ba = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        let bb = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { ba.deallocate(); bb.deallocate() }
        var done: UInt64 = 0
        let total = a.record.byteCount
        while done < total {
            let n = Int(min(UInt64(chunk), total - done))
            try readFully(fa, a.path, ba, count: n, offset: a.record.fileRange.lowerBound + done)
            try readFully(fb, b.path, bb, count: n, offset: b.record.fileRange.lowerBound + done)
            if !equalBytes(ba, bb, n) { return false }
            done += UInt64(n)
        }
        return true
    }

    private static func equalBytes(_ a: UnsafeMutableRawBufferPointer, _ b: UnsafeMutableRawBufferPointer, _ n: Int) -> Bool {
        guard n > 0 else { return true }
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return false }
        return memcmp(pa, pb, n) == 0
    }

    private static func openFile(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw IntegrityError.io(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        return fd
    }

    private static func readFully(_ fd: Int32, _ path: String, _ buffer: UnsafeMutableRawBufferPointer, count: Int, offset: UInt64) throws {
        guard count > 0 else { return }
        guard let base = buffer.baseAddress, count <= buffer.count else {
            throw IntegrityError.io(path: path, reason: "internal: read of \(count) bytes into a \(buffer.count)-byte buffer")
        }
        var got = 0
        while got < count {
            let n = pread(fd, base + got, count - got, off_t(offset + UInt64(got)))
            if n < 0 {
                if errno == EINTR { continue }
                throw IntegrityError.io(path: path, reason: "read failed at byte \(offset + UInt64(got)): \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw IntegrityError.fileChangedWhileReading(path: path, expectedSize: offset + UInt64(count), actualSize: offset + UInt64(got)) }
            got += n
        }
    }
}
