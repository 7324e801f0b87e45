import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Hugging Face hub cache as `huggingface_hub` lays it out:
/// `<cache>/models--ORG--NAME/{blobs/SHA, refs/main, snapshots/REV/<files>}`, where each
/// snapshot file is a relative symlink into `../../blobs/`. Symlinks are followed only when
/// they resolve inside the cache repository (`models--…`) of the snapshot being read.
public enum HubCache {
    /// Where a symbolic link leads, judged against the folder links may point into.
    public enum Link: Sendable, Equatable {
        case inside(target: String)
        case outside(target: String)
        /// The link (or one it leads through) loops back (ELOOP).
        case cycle
        /// The link points at nothing; `target` is what it names.
        case dangling(target: String)
    }

    /// The cache repository root (`…/models--ORG--NAME`) when the resolved path `path` lies
    /// inside one of that repository's snapshots, else nil.
    public static func repositoryRoot(ofResolved path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 3 else { return nil }
        for i in stride(from: parts.count - 3, through: 0, by: -1)
        where parts[i].hasPrefix("models--") && parts[i + 1] == "snapshots" {
            return "/" + parts[0...i].joined(separator: "/")
        }
        return nil
    }

    /// The folder links found under `resolvedFolder` may point into: the cache repository
    /// root for a snapshot (so links into `../../blobs/` are followed), else the folder itself.
    public static func linkScope(forResolvedFolder resolvedFolder: String) -> String {
        repositoryRoot(ofResolved: resolvedFolder) ?? resolvedFolder
    }

    /// Whether `resolvedFolder` is (inside) a cache snapshot.
    public static func isSnapshot(resolvedFolder: String) -> Bool { repositoryRoot(ofResolved: resolvedFolder) != nil }

    public static func contains(scope: String, path: String) -> Bool {
        path == scope || path.hasPrefix(scope == "/" ? "/" : scope + "/")
    }

    /// Resolves the symlink at `path` fully and says whether it stays inside `scope`.
    public static func resolveLink(_ path: String, scope: String) -> Link {
        guard let resolved = realpath(path, nil) else {
            if errno == ELOOP { return .cycle }
            return .dangling(target: readLink(path) ?? "?")
        }
        defer { free(resolved) }
        let target = String(cString: resolved)
        return contains(scope: scope, path: target) ? .inside(target: target) : .outside(target: target)
    }

    /// Checks the file `path` in `folder`: a plain file passes; a symlink must resolve inside
    /// the folder (the cache repository for a snapshot), else `symlinkOutsideFolder`,
    /// `symlinkCycle` or `danglingSymlink`. Returns whether it was a link.
    @discardableResult
    public static func checkLink(_ path: String, folder: String) throws -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return false }
        guard let folderReal = realPath(folder) else { throw FormatError.notFound(path: folder) }
        switch resolveLink(path, scope: linkScope(forResolvedFolder: folderReal)) {
        case .inside: return true
        case let .outside(target): throw FormatError.symlinkOutsideFolder(path: path, target: target)
        case .cycle: throw FormatError.symlinkCycle(path: path)
        case let .dangling(target): throw FormatError.danglingSymlink(path: path, target: target)
        }
    }

    /// Canonical absolute path with every symlink resolved, or nil.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: model ids

    /// `ORG/NAME` or `ORG/NAME@REV` (REV a branch, tag or commit hash), else nil.
    public static func parseModelID(_ text: String) -> (repository: String, revision: String)? {
        let (id, revision): (Substring, Substring)
        if let at = text.firstIndex(of: "@") {
            (id, revision) = (text[..<at], text[text.index(after: at)...])
        } else {
            (id, revision) = (Substring(text), "main")
        }
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy(isNamePart) else { return nil }
        let revisionParts = revision.split(separator: "/", omittingEmptySubsequences: false)
        guard !revisionParts.isEmpty, revisionParts.allSatisfy(isNamePart) else { return nil }
        return (String(id), String(revision))
    }

    private static func isNamePart(_ s: Substring) -> Bool {
        guard let first = s.first, first != ".", first != "-", !s.contains("..") else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    /// The cache folders searched, in order, without duplicates: `$HF_HUB_CACHE`,
    /// `$HUGGINGFACE_HUB_CACHE`, `$HF_HOME/hub`, `$XDG_CACHE_HOME/huggingface/hub`,
    /// `~/.cache/huggingface/hub` (as huggingface_hub's constants, tried one after another).
    public static func cacheFolders(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        func expand(_ p: String) -> String {
            guard p == "~" || p.hasPrefix("~/"), let home = environment["HOME"] else { return p }
            return home + p.dropFirst()
        }
        var folders: [String] = []
        func add(_ p: String?) {
            guard let p, !p.isEmpty else { return }
            let path = expand(p)
            if !folders.contains(path) { folders.append(path) }
        }
        add(environment["HF_HUB_CACHE"])
        add(environment["HUGGINGFACE_HUB_CACHE"])
        add(environment["HF_HOME"].map { $0 + "/hub" })
        add(environment["XDG_CACHE_HOME"].map { $0 + "/huggingface/hub" })
        add(environment["HOME"].map { $0 + "/.cache/huggingface/hub" })
        return folders
    }

    /// The snapshot folder of `ORG/NAME[@REV]` in the first cache that holds it: the revision
    /// is a ref (`refs/REV` gives the commit) or a commit hash with a snapshot folder. Offline:
    /// nothing is downloaded. Throws `modelNotInHubCache` naming every folder searched.
    public static func resolve(modelID text: String,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        guard let (repository, revision) = parseModelID(text) else {
            throw FormatError.modelNotInHubCache(id: text, searched: [], reason: "not a model id of the form ORG/NAME[@REVISION]")
        }
        let folders = cacheFolders(environment: environment)
        let repoFolder = "models--" + repository.replacingOccurrences(of: "/", with: "--")
        var reasons: [String] = []
        for cache in folders {
            let root = cache + "/" + repoFolder
            guard FileManager.default.fileExists(atPath: root) else { continue }
            let commit = try commitHash(root: root, revision: revision)
            let snapshot = root + "/snapshots/" + commit
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: snapshot, isDirectory: &isFolder), isFolder.boolValue {
                return URL(fileURLWithPath: snapshot)
            }
            reasons.append("\(root) has no snapshot \(commit) for revision '\(revision)'")
        }
        let reason = reasons.isEmpty ? "no \(repoFolder) folder (temper does not download; fetch it with huggingface_hub first)"
            : reasons.joined(separator: "; ")
        throw FormatError.modelNotInHubCache(id: text, searched: folders, reason: reason)
    }

    /// `refs/REV`'s commit when that ref exists, else REV itself (a commit hash).
    static func commitHash(root: String, revision: String) throws -> String {
        let ref = root + "/refs/" + revision
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: ref, isDirectory: &isFolder), !isFolder.boolValue else { return revision }
        guard let data = FileManager.default.contents(atPath: ref), data.count <= 256,
              let text = String(data: data, encoding: .utf8) else {
            throw FormatError.unsupportedInput(path: ref, reason: "unreadable ref (expected a commit hash)")
        }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !commit.isEmpty, commit.allSatisfy({ $0.isHexDigit }) else {
            throw FormatError.unsupportedInput(path: ref, reason: "ref holds '\(commit)', not a commit hash")
        }
        return commit
    }
}
