import Foundation
import Testing
@testable import TemperFormats

/// One test per file of Fixtures/malformed/gguf (made by make_malformed_gguf.py): each must
/// fail with its own FormatError case and the offending key, tensor or number.
@Suite struct GGUFMalformedTests {
    @Test func corpusIsComplete() throws {
        let cases = try JSONSerialization.jsonObject(with: Data(contentsOf: GGUFFixtures.malformed.appendingPathComponent("cases.json"))) as? [String: String]
        let files = try FileManager.default.contentsOfDirectory(atPath: GGUFFixtures.malformed.path).filter { $0.hasSuffix(".gguf") }
        #expect(Set(files) == Set(cases?.keys.map { $0 } ?? []))
        #expect(files.count >= 10)
    }

    @Test func alignmentThree() {
        expectRejection("alignment_three.gguf") { e in if case let .invalidAlignment(_, a) = e { return a == 3 }; return false }
    }

    @Test func alignmentWrongType() {
        expectRejection("alignment_wrong_type.gguf") { e in if case let .invalidMetadata(_, reason) = e { return reason.contains("general.alignment") }; return false }
    }

    @Test func alignmentZero() {
        expectRejection("alignment_zero.gguf") { e in if case let .invalidAlignment(_, a) = e { return a == 0 }; return false }
    }

    @Test func arrayCountOverflow() {
        expectRejection("array_count_overflow.gguf") { e in if case let .countTooLarge(_, what, count, _) = e { return what == "array 'a'" && count == 1 << 61 }; return false }
    }

    @Test func badMagic() {
        expectRejection("bad_magic.gguf") { e in if case let .badMagic(_, found) = e { return found == Array("GGUL".utf8) }; return false }
    }

    @Test func blockShape() {
        expectRejection("block_shape.gguf") { e in if case let .invalidBlockShape(_, tensor, shape, blockSize) = e { return tensor == "q" && shape == [2, 20] && blockSize == 32 }; return false }
    }

    @Test func boolNot0Or1() {
        expectRejection("bool_not_0_or_1.gguf") { e in if case let .invalidMetadata(_, reason) = e { return reason.contains("bool") }; return false }
    }

    @Test func dimsProductOverflow() {
        expectRejection("dims_product_overflow.gguf") { e in if case let .invalidShape(_, tensor, reason) = e { return tensor == "w" && reason.contains("overflow") }; return false }
    }

    @Test func duplicateKey() {
        expectRejection("duplicate_key.gguf") { e in if case let .duplicateKey(_, key) = e { return key == "general.architecture" }; return false }
    }

    @Test func duplicateTensor() {
        expectRejection("duplicate_tensor.gguf") { e in if case let .duplicateTensor(_, tensor) = e { return tensor == "w" }; return false }
    }

    @Test func empty() {
        expectRejection("empty.gguf") { e in if case let .truncated(_, offset, needed, available) = e { return offset == 0 && needed == 4 && available == 0 }; return false }
    }

    @Test func invalidUtf8Key() {
        expectRejection("invalid_utf8_key.gguf") { e in if case let .invalidMetadata(_, reason) = e { return reason.contains("UTF-8") }; return false }
    }

    @Test func keyBeyondFile() {
        expectRejection("key_beyond_file.gguf") { e in if case let .stringTooLong(_, offset, length) = e { return offset == 24 && length == 1 << 63 }; return false }
    }

    @Test func kvCountOverflow() {
        expectRejection("kv_count_overflow.gguf") { e in if case let .countTooLarge(_, what, count, _) = e { return what == "key-value" && count == 1 << 60 }; return false }
    }

    @Test func misalignedTensor() {
        expectRejection("misaligned_tensor.gguf") { e in if case let .misalignedTensor(_, tensor, offset, alignment) = e { return tensor == "w" && offset == 8 && alignment == 32 }; return false }
    }

    @Test func nDims5() {
        expectRejection("n_dims_5.gguf") { e in if case let .invalidShape(_, tensor, reason) = e { return tensor == "w" && reason.contains("5 dimensions") }; return false }
    }

    @Test func overlappingTensors() {
        expectRejection("overlapping_tensors.gguf") { e in if case let .overlappingTensors(_, first, second) = e { return first == "a" && second == "b" }; return false }
    }

    @Test func stringBeyondFile() {
        expectRejection("string_beyond_file.gguf") { e in if case let .stringTooLong(_, _, length) = e { return length == 1_000_000 }; return false }
    }

    @Test func tensorCountOverflow() {
        expectRejection("tensor_count_overflow.gguf") { e in if case let .countTooLarge(_, what, count, _) = e { return what == "tensor" && count == 1 << 62 }; return false }
    }

    @Test func tensorDataPastEnd() {
        expectRejection("tensor_data_past_end.gguf") { e in if case let .invalidOffsets(_, tensor, _) = e { return tensor == "w" }; return false }
    }

    @Test func truncatedHeader() {
        expectRejection("truncated_header.gguf") { e in if case let .truncated(_, offset, needed, available) = e { return offset == 8 && needed == 8 && available == 6 }; return false }
    }

    @Test func unknownArrayElementType() {
        expectRejection("unknown_array_element_type.gguf") { e in if case let .unknownValueType(_, key, type) = e { return key == "x" && type == 99 }; return false }
    }

    @Test func unknownGgmlType() {
        expectRejection("unknown_ggml_type.gguf") { e in if case let .unknownGGMLType(_, tensor, type) = e { return tensor == "w" && type == 4 }; return false }
    }

    @Test func unknownValueType() {
        expectRejection("unknown_value_type.gguf") { e in if case let .unknownValueType(_, key, type) = e { return key == "x" && type == 13 }; return false }
    }

    @Test func version1() {
        expectRejection("version_1.gguf") { e in if case let .unsupportedVersion(_, v) = e { return v == 1 }; return false }
    }

    @Test func version2() {
        expectRejection("version_2.gguf") { e in if case let .unsupportedVersion(_, v) = e { return v == 2 }; return false }
    }
}

private func expectRejection(_ file: String, sourceLocation: SourceLocation = #_sourceLocation,
                             _ matches: (FormatError) -> Bool) {
    let path = GGUFFixtures.malformed.appendingPathComponent(file).path
    do {
        let f = try GGUFFile(path: path)
        Issue.record("\(file) was accepted with \(f.tensors.count) tensors", sourceLocation: sourceLocation)
    } catch let e as FormatError {
        #expect(matches(e), "\(file): got \(e)", sourceLocation: sourceLocation)
        #expect(e.errorDescription?.contains(path) == true, sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(file): not a FormatError: \(error)", sourceLocation: sourceLocation)
    }
}
