import Foundation

/// A validated safetensors file, memory-mapped. Opening reads only the header; tensor bytes
/// are views into the mapping (zero-copy) and are faulted in from disk when first touched.
public final class SafetensorsFile: TensorFile {
    public let url: URL
    public let mapped: MappedFile
    public let header: SafetensorsHeader
    private let indexByName: [String: Int]

    /// Opens and validates `url` (see Formats/safetensors.md for every rule).
    public static func open(_ url: URL) throws -> SafetensorsFile { try SafetensorsFile(url: url) }

    public init(url: URL) throws {
        self.url = url
        mapped = try MappedFile(url: url)
        header = try SafetensorsHeader.parse(file: mapped.bytes, path: url.path, fileName: url.lastPathComponent)
        var index: [String: Int] = [:]
        index.reserveCapacity(header.tensors.count)
        for (i, record) in header.tensors.enumerated() { index[record.name] = i }
        indexByName = index
    }

    /// Tensors in header order; `fileRange` is absolute, `file` is the file name.
    public var tensors: [TensorRecord] { header.tensors }
    /// `__metadata__` entries in header order (empty when absent).
    public var metadata: [(key: String, value: String)] { header.metadata }
    /// Whether the header holds a `__metadata__` object (possibly empty).
    public var hasMetadataBlock: Bool { header.hasMetadataBlock }
    /// N: length of the JSON header including its padding.
    public var headerLength: UInt64 { header.headerLength }
    /// Absolute offset where the data buffer starts (8 + N).
    public var dataStart: UInt64 { header.dataStart }
    public var fileSize: UInt64 { UInt64(mapped.size) }

    /// The N header bytes exactly as stored (JSON plus padding, without the length prefix).
    public var rawHeader: Data {
        Data(UnsafeRawBufferPointer(rebasing: mapped.bytes[8..<Int(dataStart)]))
    }

    /// Record lookup by name in O(1).
    public func record(named name: String) -> TensorRecord? {
        indexByName[name].map { header.tensors[$0] }
    }

}
