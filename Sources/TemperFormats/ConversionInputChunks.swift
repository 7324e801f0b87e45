import Foundation

extension ConversionInput {
    /// Elements of f32 per piece handed out by `forEachFloatPiece` (16 M: 64 MB).
    static let floatPieceElements = 1 << 24

    /// Calls `body` with the tensor's f32 values in pieces of whole rows (`rowLength` values
    /// each, about `floatPieceElements` per piece), in order. An F32 safetensors tensor is
    /// never held whole: aligned ones are read from the mapping, whose pages are released
    /// after each piece (so a 100 GB conversion stays at a piece's size in resident memory);
    /// unaligned ones are read with pread into `scratch`, one piece at a time. Every other
    /// encoding is decoded whole (`withFloats`) and handed out in the same pieces.
    func forEachFloatPiece(_ tensor: Tensor, rowLength: Int, scratch: inout [Float], pieceSize: Int = floatPieceElements,
                           _ body: (UnsafeBufferPointer<Float>) throws -> Void) throws {
        let row = Swift.max(rowLength, 1)
        let pieceElements = Swift.max(1, pieceSize / row) * row
        guard case .safetensors(.f32) = tensor.encoding, let record = tensor.record,
              let file = checkpoint?.file(named: record.file)?.mapped else {
            try withFloats(tensor, scratch: &scratch) { all in
                var start = 0
                repeat {
                    let end = Swift.min(all.count, start + pieceElements)
                    try body(UnsafeBufferPointer(rebasing: all[start..<end]))
                    start = end
                } while start < all.count
            }
            return
        }
        let raw = try rawBytes(tensor)
        let count = raw.count / 4
        guard count == tensor.elementCount else {
            throw FormatError.byteLengthMismatch(path: url.path, tensor: record.name, shape: record.shape, dtype: "F32",
                                                 expected: UInt64(tensor.elementCount) &* 4, actual: UInt64(raw.count))
        }
        let mapped = GGUFRequantizer.mappedFloats(raw, .f32)
        if mapped == nil, scratch.count < Swift.min(pieceElements, count) {
            try MemoryBudget.require(MemoryBudget.f32Bytes(Swift.min(pieceElements, count)), for: Self.floatBufferUse,
                                     path: url.path, tensor: tensor.name)
            scratch = [Float](repeating: 0, count: Swift.min(pieceElements, count))
        }
        var start = 0
        repeat {
            let end = Swift.min(count, start + pieceElements)
            if let mapped {
                let piece = UnsafeBufferPointer(rebasing: mapped[start..<end])
                try body(piece)
                file.releasePages(UnsafeRawBufferPointer(piece))
            } else {
                try scratch.withUnsafeMutableBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    try file.read(into: base, offset: record.fileRange.lowerBound + UInt64(start) * 4, count: 4 * (end - start))
                    try body(UnsafeBufferPointer(start: base, count: end - start))
                }
            }
            start = end
        } while start < count
    }
}
