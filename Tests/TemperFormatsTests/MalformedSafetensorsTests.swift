import Foundation
import Testing
@testable import TemperFormats

/// Each file or folder in Fixtures/malformed/safetensors has one fault and must fail with
/// its own FormatError case (matched on the case, not the message).
@Suite struct MalformedSafetensorsTests {
    static let expectations: [(String, @Sendable (FormatError) -> Bool)] = [
        ("truncated.safetensors", { if case .truncated = $0 { true } else { false } }),
        ("empty_file.safetensors", { if case .truncated(_, 0, 8, 0) = $0 { true } else { false } }),
        ("header_beyond_file.safetensors", { if case .headerBeyondFile(_, 1000, 16) = $0 { true } else { false } }),
        ("header_too_large.safetensors", { if case .headerTooLarge(_, 100_000_001, 100_000_000) = $0 { true } else { false } }),
        ("invalid_json.safetensors", { if case .invalidHeader = $0 { true } else { false } }),
        ("non_utf8.safetensors", { if case .notUTF8 = $0 { true } else { false } }),
        ("non_object_header.safetensors", { if case .invalidHeader = $0 { true } else { false } }),
        ("trailing_garbage.safetensors", { if case .invalidHeader = $0 { true } else { false } }),
        ("nul_padding.safetensors", { if case .invalidHeader = $0 { true } else { false } }),
        ("empty_metadata_no_tensors.safetensors", { if case .invalidHeader = $0 { true } else { false } }),
        ("unknown_dtype.safetensors", { if case .unknownDType(_, "a", "F128") = $0 { true } else { false } }),
        ("missing_field.safetensors", { if case .invalidHeader = $0 { true } else { false } }),
        ("shape_mismatch.safetensors", { if case .byteLengthMismatch(_, "a", [2, 3], "F32", 24, 20) = $0 { true } else { false } }),
        ("overlapping_offsets.safetensors", { if case .invalidOffsets(_, "b", _) = $0 { true } else { false } }),
        ("gapped_offsets.safetensors", { if case .bufferNotCovered = $0 { true } else { false } }),
        ("end_out_of_range.safetensors", { if case .invalidOffsets(_, "a", _) = $0 { true } else { false } }),
        ("begin_after_end.safetensors", { if case .invalidOffsets(_, "a", _) = $0 { true } else { false } }),
        ("offsets_not_pair.safetensors", { if case .invalidOffsets(_, "a", _) = $0 { true } else { false } }),
        ("duplicate_names.safetensors", { if case .duplicateTensor(_, "a") = $0 { true } else { false } }),
        ("negative_shape.safetensors", { if case .invalidShape(_, "a", _) = $0 { true } else { false } }),
        ("float_shape.safetensors", { if case .invalidShape(_, "a", _) = $0 { true } else { false } }),
        ("shape_overflow.safetensors", { if case .invalidShape(_, "a", _) = $0 { true } else { false } }),
        ("shape_bits_overflow.safetensors", { if case .invalidShape(_, "a", _) = $0 { true } else { false } }),
        ("metadata_non_string.safetensors", { if case .invalidMetadata = $0 { true } else { false } }),
        ("metadata_not_object.safetensors", { if case .invalidMetadata = $0 { true } else { false } }),
        ("metadata_duplicate_key.safetensors", { if case .invalidMetadata = $0 { true } else { false } }),
        ("buffer_trailing_bytes.safetensors", { if case .bufferNotCovered = $0 { true } else { false } }),
        ("sharded_parent_path/", { if case .unsafeShardPath(_, "../x.safetensors") = $0 { true } else { false } }),
        ("sharded_dotdot_name/", { if case .unsafeShardPath(_, "..") = $0 { true } else { false } }),
        ("sharded_backslash/", { if case .unsafeShardPath = $0 { true } else { false } }),
        ("sharded_absolute_path/", { if case .unsafeShardPath(_, "/etc/passwd") = $0 { true } else { false } }),
        ("sharded_missing_shard/", { if case .missingShard(_, "model-00002-of-00002.safetensors") = $0 { true } else { false } }),
        ("sharded_tensor_not_in_shard/", { if case .tensorNotInShard(_, "b", _) = $0 { true } else { false } }),
        ("sharded_unlisted_tensor/", { if case .tensorNotInIndex(_, "b", _) = $0 { true } else { false } }),
        ("sharded_invalid_index/", { if case .invalidIndex = $0 { true } else { false } }),
        ("sharded_weight_map_not_object/", { if case .invalidIndex = $0 { true } else { false } }),
        ("sharded_duplicate_tensor/", { if case .invalidIndex = $0 { true } else { false } }),
        ("sharded_bad_shard/", { if case .truncated = $0 { true } else { false } }),
    ]

    @Test func everyCorpusEntryHasAnExpectation() throws {
        let cases = try #require(try Fixture.json(Fixture.malformed.appendingPathComponent("cases.json")) as? [String: [String: String]])
        #expect(Set(cases.keys) == Set(Self.expectations.map(\.0)))
        #expect(cases.count >= 18)
    }

    @Test(arguments: expectations.map(\.0))
    func failsWithItsOwnCase(_ name: String) throws {
        let matcher = try #require(Self.expectations.first { $0.0 == name }?.1)
        let url = Fixture.malformed.appendingPathComponent(name)
        do {
            _ = try Checkpoint.open(url)
            Issue.record("\(name) was accepted")
        } catch let error as FormatError {
            #expect(matcher(error), "\(name): got \(error)")
            #expect(error.errorDescription?.isEmpty == false)
        }
    }

    /// The single-file cases also fail through the plain file reader, naming the file.
    @Test func singleFilesFailThroughSafetensorsFile() throws {
        for (name, matcher) in Self.expectations where !name.hasSuffix("/") {
            let url = Fixture.malformed.appendingPathComponent(name)
            do {
                _ = try SafetensorsFile.open(url)
                Issue.record("\(name) was accepted")
            } catch let error as FormatError {
                #expect(matcher(error), "\(name): got \(error)")
                #expect(error.errorDescription?.contains(url.path) == true)
            }
        }
    }

    /// Random corruption of valid files never crashes the reader: it parses or throws FormatError.
    @Test func mutatedFilesNeverCrash() throws {
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(truncatingIfNeeded: state >> 33) }
        let dir = try makeTemporaryFolder("fuzz")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        var accepted = 0, rejected = 0
        for name in ["all_dtypes.safetensors", "escapes.safetensors", "numpy_shapes.safetensors"] {
            let original = [UInt8](try Data(contentsOf: Fixture.safetensors.appendingPathComponent(name)))
            let headerEnd = 8 + Int(original[0]) + Int(original[1]) << 8
            for round in 0..<150 {
                var bytes = original
                switch round % 3 {
                case 0: bytes[next() % headerEnd] ^= UInt8(1 << (next() % 8))          // flip a header bit
                case 1: bytes[8 + next() % (headerEnd - 8)] = UInt8(next() % 128)      // replace a header byte
                default: bytes.removeLast(next() % bytes.count)                        // truncate
                }
                try Data(bytes).write(to: url)
                do {
                    let file = try SafetensorsFile.open(url)
                    for record in file.tensors { _ = try file.bytes(of: record) }
                    accepted += 1
                } catch is FormatError {
                    rejected += 1
                }
            }
        }
        #expect(rejected > 300 && accepted + rejected == 450)
    }
}
