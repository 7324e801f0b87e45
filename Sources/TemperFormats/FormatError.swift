import Foundation

/// Every way a weight file can be malformed or unusable. Each case names the file and,
/// where one applies, the tensor, offset or shape, so a user can find the fault.
public enum FormatError: Error, Equatable, Sendable {
    // I/O
    case io(path: String, reason: String)
    case truncated(path: String, offset: UInt64, needed: UInt64, available: UInt64)
    // safetensors header
    case headerTooLarge(path: String, length: UInt64, limit: UInt64)
    case headerBeyondFile(path: String, headerLength: UInt64, fileSize: UInt64)
    case invalidHeader(path: String, reason: String)
    case notUTF8(path: String)
    case unknownDType(path: String, tensor: String, dtype: String)
    case invalidShape(path: String, tensor: String, reason: String)
    case byteLengthMismatch(path: String, tensor: String, shape: [Int], dtype: String, expected: UInt64, actual: UInt64)
    case invalidOffsets(path: String, tensor: String, reason: String)
    case duplicateTensor(path: String, tensor: String)
    case bufferNotCovered(path: String, reason: String)
    case invalidMetadata(path: String, reason: String)
    // sharded folders
    case invalidIndex(path: String, reason: String)
    case unsafeShardPath(path: String, shard: String)
    case missingShard(path: String, shard: String)
    case tensorNotInShard(path: String, tensor: String, shard: String)
    case tensorNotInIndex(path: String, tensor: String, shard: String)
    // GGUF
    case badMagic(path: String, found: [UInt8])
    case unsupportedVersion(path: String, version: UInt32)
    case unknownValueType(path: String, key: String, type: UInt32)
    case unknownGGMLType(path: String, tensor: String, type: UInt32)
    case invalidAlignment(path: String, alignment: UInt64)
    case misalignedTensor(path: String, tensor: String, offset: UInt64, alignment: UInt64)
    case overlappingTensors(path: String, first: String, second: String)
    case countTooLarge(path: String, what: String, count: UInt64, offset: UInt64)
    case stringTooLong(path: String, offset: UInt64, length: UInt64)
    case duplicateKey(path: String, key: String)
    case invalidBlockShape(path: String, tensor: String, shape: [Int], blockSize: Int)
    // writers and conversions
    case writerState(expected: String, got: String)
    case unsupportedConversion(tensor: String, from: String, to: String)
    case notFound(path: String)
    case unsupportedInput(path: String, reason: String)
    /// A JSON side file (config.json, tokenizer.json) breaks `rule`.
    case invalidContent(path: String, rule: String)
    /// A config field whose value the output format cannot express (`rope_parameters.rope_type`, …).
    case unsupportedConfigField(path: String, field: String, value: String, reason: String)
    /// A byte-level BPE tokenizer whose check-string hash is not in convert_hf_to_gguf's
    /// `get_vocab_base_pre` table, so `tokenizer.ggml.pre` cannot be chosen.
    case unknownPreTokenizer(path: String, hash: String)
    // links and the Hugging Face cache
    case symlinkOutsideFolder(path: String, target: String)
    case symlinkCycle(path: String)
    case danglingSymlink(path: String, target: String)
    case modelNotInHubCache(id: String, searched: [String], reason: String)
    // resources
    /// An allocation sized from `path` (and `tensor`) needs more memory than this process
    /// has (`MemoryBudget`); `what` says what the memory is for.
    case insufficientMemory(path: String, tensor: String?, what: String, needed: UInt64, available: UInt64)
}

extension FormatError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .truncated(path, offset, needed, available):
            return "\(path): truncated at byte \(offset): needed \(needed) bytes, \(available) available"
        case let .headerTooLarge(path, length, limit):
            return "\(path): header length \(length) exceeds the \(limit)-byte limit"
        case let .headerBeyondFile(path, headerLength, fileSize):
            return "\(path): header length \(headerLength) runs past the end of the \(fileSize)-byte file"
        case let .invalidHeader(path, reason): return "\(path): invalid header: \(reason)"
        case let .notUTF8(path): return "\(path): header is not valid UTF-8"
        case let .unknownDType(path, tensor, dtype): return "\(path): tensor '\(tensor)': unknown dtype '\(dtype)'"
        case let .invalidShape(path, tensor, reason): return "\(path): tensor '\(tensor)': invalid shape: \(reason)"
        case let .byteLengthMismatch(path, tensor, shape, dtype, expected, actual):
            return "\(path): tensor '\(tensor)': shape \(shape) of \(dtype) needs \(expected) bytes but its offsets span \(actual)"
        case let .invalidOffsets(path, tensor, reason): return "\(path): tensor '\(tensor)': invalid data_offsets: \(reason)"
        case let .duplicateTensor(path, tensor): return "\(path): tensor '\(tensor)' appears twice"
        case let .bufferNotCovered(path, reason): return "\(path): data buffer not covered exactly: \(reason)"
        case let .invalidMetadata(path, reason): return "\(path): invalid __metadata__: \(reason)"
        case let .invalidIndex(path, reason): return "\(path): invalid shard index: \(reason)"
        case let .unsafeShardPath(path, shard): return "\(path): shard file name '\(shard)' escapes the folder"
        case let .missingShard(path, shard): return "\(path): shard '\(shard)' does not exist"
        case let .tensorNotInShard(path, tensor, shard): return "\(path): index maps '\(tensor)' to '\(shard)', which does not hold it"
        case let .tensorNotInIndex(path, tensor, shard): return "\(path): shard '\(shard)' holds '\(tensor)', which the index does not map to it"
        case let .badMagic(path, found): return "\(path): bad magic \(found.map { String(format: "%02x", $0) }.joined()) (expected 'GGUF')"
        case let .unsupportedVersion(path, version): return "\(path): unsupported GGUF version \(version) (supported: 3)"
        case let .unknownValueType(path, key, type): return "\(path): key '\(key)': unknown value type \(type)"
        case let .unknownGGMLType(path, tensor, type): return "\(path): tensor '\(tensor)': unknown ggml type \(type)"
        case let .invalidAlignment(path, alignment): return "\(path): alignment \(alignment) is not a positive power of two"
        case let .misalignedTensor(path, tensor, offset, alignment):
            return "\(path): tensor '\(tensor)': offset \(offset) is not a multiple of alignment \(alignment)"
        case let .overlappingTensors(path, first, second): return "\(path): tensors '\(first)' and '\(second)' overlap"
        case let .countTooLarge(path, what, count, offset): return "\(path): \(what) count \(count) at byte \(offset) cannot fit in the file"
        case let .stringTooLong(path, offset, length): return "\(path): string of length \(length) at byte \(offset) runs past the end of the file"
        case let .duplicateKey(path, key): return "\(path): key '\(key)' appears twice"
        case let .invalidBlockShape(path, tensor, shape, blockSize):
            return "\(path): tensor '\(tensor)': innermost dimension of \(shape) is not a multiple of block size \(blockSize)"
        case let .writerState(expected, got): return "writer used out of order: expected \(expected), got \(got)"
        case let .unsupportedConversion(tensor, from, to): return "tensor '\(tensor)': cannot convert \(from) to \(to)"
        case let .notFound(path): return "\(path): no such file or folder"
        case let .unsupportedInput(path, reason): return "\(path): \(reason)"
        case let .invalidContent(path, rule): return "\(path): \(rule)"
        case let .unsupportedConfigField(path, field, value, reason): return "\(path): \(field) = \(value): \(reason)"
        case let .unknownPreTokenizer(path, hash):
            return "\(path): unknown pre-tokenizer (check-string hash \(hash) is not in convert_hf_to_gguf's get_vocab_base_pre table); "
                + "tokenizer.ggml.pre cannot be chosen, and 'default' would split text differently in llama.cpp"
        case let .symlinkOutsideFolder(path, target):
            return "\(path): symbolic link points outside the folder (to \(target)); links are followed only inside a Hugging Face cache repository"
        case let .symlinkCycle(path): return "\(path): symbolic link loops back on itself"
        case let .danglingSymlink(path, target): return "\(path): symbolic link to '\(target)', which does not exist"
        case let .modelNotInHubCache(id, searched, reason):
            let folders = searched.isEmpty ? "" : " (searched: \(searched.joined(separator: ", ")))"
            return "\(id): not a local path and not in the Hugging Face cache: \(reason)\(folders)"
        case let .insufficientMemory(path, tensor, what, needed, available):
            let name = tensor.map { " tensor '\($0)':" } ?? ""
            return "\(path):\(name) not enough memory for \(what): \(needed) bytes (\(gib(needed))) needed, "
                + "\(available) bytes (\(gib(available))) available to this process "
                + "(set \(MemoryBudget.overrideVariable)=BYTES to override)"
        }
    }

    private func gib(_ bytes: UInt64) -> String { String(format: "%.2f GiB", Double(bytes) / 1_073_741_824) }
}
