import Foundation
import TemperFormats
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One regular file found under a model folder.
public struct FolderEntry: Sendable, Equatable {
    /// Path relative to the folder, components joined with "/" (POSIX, as model_signing writes).
    public var relativePath: String
    /// Path to open (the folder path as given, joined with `relativePath`).
    public var path: String
    public var size: UInt64
}

/// Paths left out of a signature, matched component by component from the folder root
/// (as Python's `PurePath.is_relative_to`): an ignored folder hides everything under it.
public struct IgnoreRules: Sendable, Equatable {
    /// The paths model_signing ignores by default ("--ignore-git-paths").
    public static let gitPaths = [".git", ".gitattributes", ".github", ".gitignore"]

    public private(set) var paths: [String] = []
    private var components: [[String]] = []

    public init(_ paths: [String] = []) { for p in paths { add(p) } }

    /// Adds a folder-relative path. Empty and "." parts are dropped as pathlib does;
    /// absolute paths never match a file inside the folder, so they are kept only for the record.
    public mutating func add(_ path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        let joined = parts.joined(separator: "/")
        guard !parts.isEmpty, !paths.contains(where: { Array($0.utf8) == Array(joined.utf8) }) else { return }
        paths.append(joined)
        if !path.hasPrefix("/") { components.append(parts) }
    }

    public func ignores(_ relativeComponents: [String]) -> Bool {
        components.contains { rule in
            rule.count <= relativeComponents.count && zip(rule, relativeComponents).allSatisfy { Array($0.utf8) == Array($1.utf8) }
        }
    }
}

/// Lists the regular files of a folder the way model_signing's file serializer does:
/// every file at any depth (hidden ones too), minus ignored paths, sorted by path
/// components. Symbolic links are refused unless `allowSymlinks` (then links to files
/// inside the folder are hashed by content under the link's name, links to folders are
/// skipped as Python's glob does); links that leave the folder are always refused. In a
/// Hugging Face cache snapshot, links are followed without `allowSymlinks` as long as they
/// stay inside the cache repository (`models--…`, whose `blobs/` they point into).
public struct FolderWalker: Sendable {
    public var ignore: IgnoreRules
    public var allowSymlinks: Bool

    public init(ignore: IgnoreRules = IgnoreRules(IgnoreRules.gitPaths), allowSymlinks: Bool = false) {
        self.ignore = ignore; self.allowSymlinks = allowSymlinks
    }

    public func list(_ root: String) throws -> [FolderEntry] {
        var info = stat()
        if stat(root, &info) != 0 { throw IntegrityError.notFound(path: root) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw IntegrityError.notADirectory(path: root) }
        let realRoot = try Self.realPath(root)
        var out: [(components: [String], entry: FolderEntry)] = []
        try walk(root: root, scope: HubCache.linkScope(forResolvedFolder: realRoot),
                 inSnapshot: HubCache.isSnapshot(resolvedFolder: realRoot), components: [], into: &out)
        out.sort { Self.precedes($0.components, $1.components) }
        return out.map(\.entry)
    }

    /// `scope`: where links may point; `inSnapshot`: links are followed without `allowSymlinks`.
    private func walk(root: String, scope: String, inSnapshot: Bool, components: [String],
                      into out: inout [(components: [String], entry: FolderEntry)]) throws {
        let dirPath = components.isEmpty ? root : root + "/" + components.joined(separator: "/")
        guard let dir = opendir(dirPath) else {
            throw IntegrityError.io(path: dirPath, reason: "cannot open folder: \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let raw = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            if raw == [46] || raw == [46, 46] { continue }
            guard let name = String(validating: raw, as: UTF8.self) else {
                throw IntegrityError.fileNameNotUTF8(path: dirPath + "/" + String(decoding: raw, as: UTF8.self))
            }
            names.append(name)
        }
        for name in names {
            let parts = components + [name]
            if ignore.ignores(parts) { continue }
            let relative = parts.joined(separator: "/")
            let path = root + "/" + relative
            var info = stat()
            if lstat(path, &info) != 0 { throw IntegrityError.io(path: path, reason: "cannot stat: \(String(cString: strerror(errno)))") }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                switch HubCache.resolveLink(path, scope: scope) {
                case .inside: break
                case let .outside(target): throw IntegrityError.symlinkOutsideFolder(path: path, target: target)
                case .cycle: throw IntegrityError.symlinkCycle(path: path)
                case let .dangling(target): throw IntegrityError.danglingSymlink(path: path, target: target)
                }
                guard allowSymlinks || inSnapshot else { throw IntegrityError.symlinkNotAllowed(path: path) }
                if stat(path, &info) != 0 { throw IntegrityError.specialFile(path: path) }
                switch info.st_mode & S_IFMT {
                case S_IFREG: out.append((parts, FolderEntry(relativePath: relative, path: path, size: UInt64(info.st_size))))
                case S_IFDIR: continue
                default: throw IntegrityError.specialFile(path: path)
                }
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: try walk(root: root, scope: scope, inSnapshot: inSnapshot, components: parts, into: &out)
            case S_IFREG: out.append((parts, FolderEntry(relativePath: relative, path: path, size: UInt64(info.st_size))))
            default: throw IntegrityError.specialFile(path: path)
            }
        }
    }

    static func realPath(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else {
            throw IntegrityError.io(path: path, reason: "cannot resolve: \(String(cString: strerror(errno)))")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Python's PurePosixPath order: component lists compared element by element by code
    /// point, which is UTF-8 byte order.
    static func precedes(_ a: [String], _ b: [String]) -> Bool {
        for (x, y) in zip(a, b) {
            // Bytes, not String ==: Swift equates canonically equivalent names that are distinct files.
            let xb = Array(x.utf8), yb = Array(y.utf8)
            if xb != yb { return xb.lexicographicallyPrecedes(yb) }
        }
        return a.count < b.count
    }

    /// Orders folder-relative "/"-joined paths as model_signing sorts its resources.
    public static func sortPaths(_ paths: [String]) -> [String] {
        paths.map { ($0, $0.split(separator: "/", omittingEmptySubsequences: false).map(String.init)) }
            .sorted { precedes($0.1, $1.1) }.map(\.0)
    }
}
