import Foundation
import Testing
@testable import TemperFormats

/// `forEachFloatPiece` hands out exactly the tensor's f32 values (as `withFloats` gives them),
/// in order, in pieces of whole rows: aligned F32 from the mapping, unaligned F32 through
/// pread into a piece-sized scratch, BF16 decoded whole.
@Suite struct ConversionInputChunksTests {
    @Test func piecesConcatenateToTheWholeTensorInWholeRows() throws {
        let dir = try makeTemporaryFolder("pieces")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        let (rows, cols) = (37, 64)
        let values = (0..<(rows * cols)).map { Float($0 % 97) * 0.25 - 7 }
        let f32 = values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let bf16 = values.flatMap { withUnsafeBytes(of: UInt16($0.bitPattern >> 16).littleEndian, Array.init) }
        // "odd" (3 bytes) pushes "unaligned" off a 4-byte boundary.
        try SafetensorsWriter.write(to: url, tensors: [TensorSpec(name: "aligned", dtype: .f32, shape: [rows, cols]),
                                                        TensorSpec(name: "odd", dtype: .u8, shape: [3]),
                                                        TensorSpec(name: "unaligned", dtype: .f32, shape: [rows, cols]),
                                                        TensorSpec(name: "half", dtype: .bf16, shape: [rows, cols])],
                                    order: .asGiven) { spec in
            switch spec.name { case "odd": return [1, 2, 3]; case "half": return bf16; default: return f32 }
        }
        let input = try ConversionInput(url: url)
        for tensor in input.tensors where tensor.name != "odd" {
            var scratch: [Float] = [], wholeScratch: [Float] = []
            let whole = try input.withFloats(tensor, scratch: &wholeScratch) { Array($0) }
            var pieces: [[Float]] = []
            try input.forEachFloatPiece(tensor, rowLength: cols, scratch: &scratch, pieceSize: 200) { pieces.append(Array($0)) }
            #expect(pieces.flatMap { $0 } == whole, "\(tensor.name)")
            #expect(pieces.dropLast().allSatisfy { $0.count == 3 * cols }, "\(tensor.name): pieces of whole rows")
            #expect(pieces.count == (rows + 2) / 3)
            if tensor.name == "unaligned" { #expect(scratch.count == 3 * cols, "scratch holds one piece, not the tensor") }
        }
    }
}
