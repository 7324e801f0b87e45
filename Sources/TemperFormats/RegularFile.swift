import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening files that came from a user without hanging or running away: a FIFO, a device
/// or a socket given as a weight file, shard, config or diff operand would block `open`
/// forever (a FIFO with no writer) or stream without end (`/dev/zero`). Every read of such
/// a path goes through here: opened with O_NONBLOCK (which never blocks and does nothing
/// to a regular file), checked with fstat on the same descriptor, refused unless regular.
public enum RegularFile {
    /// The largest small file (config, tokenizer, index, template, dataset) read whole.
    public static let defaultReadLimit = 2 << 30

    /// A read-only descriptor of the regular file at `path` and its size. The caller closes it.
    public static func open(_ path: String) throws(FormatError) -> (fd: Int32, size: Int) {
        guard !path.isEmpty else { throw .notFound(path: "(empty path)") }
        let fd = posixOpen(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { throw .notFound(path: path) }
            throw .io(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if fstat(fd, &info) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .io(path: path, reason: "cannot stat: \(reason)")
        }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else {
            close(fd)
            throw .unsupportedInput(path: path, reason: "is \(describe(kind)), not a regular file")
        }
        // Back to blocking reads (no effect on regular files, but keeps later reads plain).
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        return (fd, Int(info.st_size))
    }

    /// The whole regular file at `url`, refusing special files and files over `limit` bytes.
    public static func read(_ url: URL, limit: Int = defaultReadLimit) throws(FormatError) -> Data {
        let path = url.path
        let (fd, size) = try open(path)
        defer { close(fd) }
        guard size <= limit else {
            throw .unsupportedInput(path: path, reason: "is \(size) bytes, over the \(limit)-byte limit for this kind of file")
        }
        var data = Data(count: size)
        var done = 0
        let failure: String? = data.withUnsafeMutableBytes { raw -> String? in
            guard let base = raw.baseAddress else { return nil }
            while done < size {
                let n = pread(fd, base + done, size - done, off_t(done))
                if n < 0, errno == EINTR { continue }
                if n < 0 { return "read failed at byte \(done): \(String(cString: strerror(errno)))" }
                if n == 0 { return "file shrank to \(done) bytes while being read" }
                done += n
            }
            return nil
        }
        if let failure { throw .io(path: path, reason: failure) }
        return data
    }

    /// "a FIFO", "a folder", … for messages.
    public static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "a special file"
        }
    }
}

/// At file scope `open` is the C function (inside `RegularFile` it would be the method).
private func posixOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
