import ArgumentParser
import Foundation

/// A byte count written as `2GB`, `500MB`, `1.5GiB`, `4096`, or llama-gguf-split's `2G` / `500M`
/// (decimal units are powers of 1000, binary units powers of 1024, as the Hugging Face shard
/// sizes are).
struct ByteSize: ExpressibleByArgument {
    let bytes: UInt64

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Double)] = [("GIB", 1_073_741_824), ("MIB", 1_048_576), ("KIB", 1024),
                                          ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("B", 1),
                                          ("G", 1e9), ("M", 1e6), ("K", 1e3)]  // llama-gguf-split's 2G, 500M
        var number = text
        var scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = String(text.dropLast(suffix.count))
            scale = factor
            break
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value > 0, value * scale < 1.8e19 else { return nil }
        bytes = UInt64(value * scale)
    }

    static var defaultValueDescription: String { "size such as 2GB, 500MB or 1.5GiB" }
}
