import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a tokenizer, template, config or dataset file whole, refusing what is not a
/// regular file first: a FIFO would block `Data(contentsOf:)` forever and `/dev/zero`
/// would grow without end. TemperText does not depend on TemperFormats, so this is the
/// text side of `RegularFile.read` (same rules: O_NONBLOCK open, fstat, size limit).
public enum TextFile {
    public static let defaultLimit = 2 << 30

    public static func read(_ url: URL, limit: Int = defaultLimit) throws(TextError) -> Data {
        let path = url.path
        guard !path.isEmpty else { throw .io(path: "(empty path)", reason: "no file given") }
        let fd = posixOpen(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let reason = errno == ENOENT ? "no such file" : "cannot open: \(String(cString: strerror(errno)))"
            throw .io(path: path, reason: reason)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, reason: "cannot stat: \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let kind = (info.st_mode & S_IFMT) == S_IFDIR ? "a folder" : "a FIFO, device or socket"
            throw .io(path: path, reason: "is \(kind), not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= limit else { throw .io(path: path, reason: "is \(size) bytes, over the \(limit)-byte limit") }
        var data = Data(count: size)
        var done = 0
        let failure: String? = data.withUnsafeMutableBytes { raw -> String? in
            guard let base = raw.baseAddress else { return nil }
            while done < size {
                let n = pread(fd, base + done, size - done, off_t(done))
                if n < 0, errno == EINTR || errno == EAGAIN { continue }
                if n < 0 { return "read failed at byte \(done): \(String(cString: strerror(errno)))" }
                if n == 0 { return "file shrank to \(done) bytes while being read" }
                done += n
            }
            return nil
        }
        if let failure { throw .io(path: path, reason: failure) }
        return data
    }
}

/// At file scope `open` is the C function.
private func posixOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
