import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Path rules shared by signing and verification, following model_signing's CLI.
public enum ModelFolder {
    public static let defaultSignatureName = "model.sig"

    /// model_signing's model name: the last component of the path as given (pathlib's
    /// `name`), or of the resolved path when that is empty or "..".
    public static func modelName(_ folder: String) -> String {
        let parts = folder.split(separator: "/").map(String.init).filter { $0 != "." }
        if let last = parts.last, last != ".." { return last }
        do {
            return try FolderWalker.realPath(folder).split(separator: "/").last.map(String.init) ?? ""
        } catch { return "" }
    }

    /// The signature's path relative to the folder when it lies inside it (it must then be
    /// ignored, as model_signing's CLI does), else nil. Resolves symlinks in the parent folders.
    public static func relativePath(of file: String, inside folder: String) throws -> String? {
        let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        let url = URL(fileURLWithPath: absolute).standardized
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent) else { return nil }
        let resolvedParent = try FolderWalker.realPath(parent)
        let root = try FolderWalker.realPath(folder)
        let full = (resolvedParent == "/" ? "" : resolvedParent) + "/" + url.lastPathComponent
        let prefix = root == "/" ? "/" : root + "/"
        guard full.hasPrefix(prefix) else { return nil }
        return String(full.dropFirst(prefix.count))
    }

    /// Reads a small file whole, refusing anything over `limit` bytes.
    static func readSmallFile(_ path: String, limit: Int, tooLarge: (String) -> IntegrityError) throws -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw IntegrityError.notFound(path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw IntegrityError.specialFile(path: path) }
        guard info.st_size <= limit else { throw tooLarge("file is \(info.st_size) bytes, over the \(limit)-byte limit") }
        do { return Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw IntegrityError.io(path: path, reason: error.localizedDescription)
        }
    }

    /// The ignore rules for a folder: git paths (unless disabled), the caller's paths, the
    /// signature file when inside the folder, and those recorded in a signature.
    static func ignoreList(git: Bool, extra: [String], signatureRelative: String?, recorded: [String] = []) -> IgnoreRules {
        var rules = IgnoreRules()
        if git { for p in IgnoreRules.gitPaths { rules.add(p) } }
        for p in extra + recorded { rules.add(p) }
        if let signatureRelative { rules.add(signatureRelative) }
        return rules
    }
}
