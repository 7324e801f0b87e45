import Foundation
import TemperFormats

/// A deterministic split of a folder's files into N parts of about equal size, so that N
/// machines can each hash one part (`temper hash DIR --files-of K/N`). Files are taken
/// largest first (ties in manifest order) and each goes to the least loaded part (lowest
/// part number on ties): the same listing always gives the same parts.
public enum FolderPartition {
    /// Part index (0-based) of every entry of `listing`, in listing order.
    public static func assign(_ listing: [ManifestListing.Entry], parts: Int) -> [Int] {
        guard parts > 0 else { return [] }
        let order = listing.indices.sorted { listing[$0].size != listing[$1].size ? listing[$0].size > listing[$1].size : $0 < $1 }
        var load = [UInt64](repeating: 0, count: parts)
        var part = [Int](repeating: 0, count: listing.count)
        for i in order {
            let least = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 } ?? 0
            part[i] = least
            load[least] = load[least] &+ listing[i].size
        }
        return part
    }
}

/// Every file a whole-folder manifest covers (path and size), in manifest order: what each
/// part records so the merge can prove that together the parts cover exactly the folder.
public struct ManifestListing: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var size: UInt64
        public init(path: String, size: UInt64) { self.path = path; self.size = size }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) {
        let order = FolderWalker.sortPaths(entries.map(\.path))
        var byPath: [[UInt8]: Entry] = [:]
        for e in entries { byPath[Array(e.path.utf8)] = e }
        self.entries = order.compactMap { byPath[Array($0.utf8)] }
    }
}

/// One machine's share of a folder's manifest (Formats/manifest.md, "Partial manifests"):
/// the whole folder's listing plus the digests of the files of part `part` of `parts`.
public struct PartialManifest: Sendable, Equatable {
    public static let format = "temper.manifest.part"
    public static let currentVersion = 1

    /// 1-based part number.
    public var part: Int
    public var parts: Int
    public var listing: ManifestListing
    public var files: [FileDigest]

    public init(part: Int, parts: Int, listing: ManifestListing, files: [FileDigest]) {
        self.part = part; self.parts = parts; self.listing = listing
        self.files = Manifest(files: files).files
    }

    /// Listing paths that fall in part `part` (1-based) of `parts`.
    public static func paths(ofPart part: Int, parts: Int, listing: ManifestListing) -> Set<String> {
        let assigned = FolderPartition.assign(listing.entries, parts: parts)
        return Set(listing.entries.indices.filter { assigned[$0] == part - 1 }.map { listing.entries[$0].path })
    }

    public var json: OrderedJSON {
        .object([
            JSONMember("format", .string(Self.format)),
            JSONMember("version", .int(Self.currentVersion)),
            JSONMember("hash_type", .string("sha256")),
            JSONMember("part", .int(part)),
            JSONMember("parts", .int(parts)),
            JSONMember("listing", .array(listing.entries.map { .object([JSONMember("path", .string($0.path)), JSONMember("size", .int($0.size))]) })),
            JSONMember("files", .array(files.map(Manifest.fileJSON))),
        ])
    }

    public var canonicalBytes: [UInt8] { json.serialized(style: .pythonIndented(2)) + [0x0A] }

    /// Reads a partial manifest, checking every field (unknown keys are refused).
    public static func parse(_ bytes: [UInt8], path: String) throws -> PartialManifest {
        let root = try JSONDocument.parse(bytes, path: path)
        func bad(_ reason: String) -> IntegrityError { .malformedManifest(path: path, reason: reason) }
        guard let top = root.members else { throw bad("top level is not an object") }
        try Manifest.requireKeys(top, ["format", "version", "hash_type", "part", "parts", "listing", "files"], optional: [], bad)
        guard root["format"]?.stringValue == format else { throw bad("'format' is not '\(format)'") }
        guard root["version"]?.int64Value == Int64(currentVersion) else { throw bad("unsupported 'version'") }
        guard root["hash_type"]?.stringValue == "sha256" else { throw bad("'hash_type' is not 'sha256'") }
        guard let parts = root["parts"]?.int64Value.flatMap({ Int(exactly: $0) }), parts >= 1,
              let part = root["part"]?.int64Value.flatMap({ Int(exactly: $0) }), (1...parts).contains(part) else {
            throw bad("'part' and 'parts' must satisfy 1 ≤ part ≤ parts")
        }
        guard let list = root["listing"]?.elements else { throw bad("'listing' is not an array") }
        var entries: [ManifestListing.Entry] = []
        var seen = Set<[UInt8]>()
        for item in list {
            guard let obj = item.members else { throw bad("a listing entry is not an object") }
            try Manifest.requireKeys(obj, ["path", "size"], optional: [], bad)
            guard let p = item["path"]?.stringValue, let size = item["size"]?.uint64Value else { throw bad("invalid listing entry") }
            guard seen.insert(Array(p.utf8)).inserted else { throw bad("listing names '\(p)' twice") }
            entries.append(.init(path: p, size: size))
        }
        guard let fileList = root["files"]?.elements else { throw bad("'files' is not an array") }
        var files: [FileDigest] = []
        var seenFiles = Set<[UInt8]>()
        for item in fileList {
            let file = try Manifest.fileEntry(item, bad)
            guard seenFiles.insert(Array(file.path.utf8)).inserted else { throw bad("'\(file.path)' appears twice") }
            files.append(file)
        }
        return PartialManifest(part: part, parts: parts, listing: ManifestListing(entries), files: files)
    }
}

/// `temper manifest merge`: N partial manifests → exactly the manifest one machine writes
/// for the whole folder, after proving the parts belong together and cover it once.
public enum ManifestMerge {
    /// `parts` with the path each was read from (named in errors).
    public static func merge(_ parts: [(path: String, manifest: PartialManifest)]) throws -> Manifest {
        guard let first = parts.first else { throw IntegrityError.manifestPartsInconsistent(path: "-", reason: "no parts given") }
        let n = first.manifest.parts
        var byNumber: [Int: String] = [:]
        for (path, m) in parts {
            func bad(_ reason: String) -> IntegrityError { .manifestPartsInconsistent(path: path, reason: reason) }
            guard m.parts == n else { throw bad("it is part \(m.part) of \(m.parts), \(first.path) is of \(n)") }
            guard m.listing == first.manifest.listing else { throw bad("its folder listing differs from \(first.path)'s (another folder, or the folder changed)") }
            if let other = byNumber[m.part] { throw bad("part \(m.part) is given twice (also \(other))") }
            byNumber[m.part] = path
            let expected = PartialManifest.paths(ofPart: m.part, parts: n, listing: m.listing)
            let listed = Dictionary(uniqueKeysWithValues: m.listing.entries.map { ($0.path, $0.size) })
            for f in m.files {
                guard expected.contains(f.path) else { throw bad("'\(f.path)' does not belong to part \(m.part) of \(n)") }
                guard listed[f.path] == f.size else { throw bad("'\(f.path)' is \(f.size) bytes, the listing says \(listed[f.path] ?? 0)") }
            }
            if let missing = expected.subtracting(m.files.map(\.path)).sorted().first {
                throw bad("it lacks '\(missing)', which belongs to part \(m.part)")
            }
        }
        if let absent = (1...n).first(where: { byNumber[$0] == nil }) {
            throw IntegrityError.manifestPartsInconsistent(path: first.path, reason: "part \(absent) of \(n) is missing")
        }
        return Manifest(files: parts.flatMap(\.manifest.files))
    }
}
