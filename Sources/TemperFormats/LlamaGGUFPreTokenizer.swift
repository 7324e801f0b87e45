import CCrypto
import Foundation
import TemperText

/// `tokenizer.ggml.pre` for a byte-level BPE tokenizer, chosen the way convert_hf_to_gguf's
/// `TextModel.get_vocab_base_pre` (llama.cpp conversion/base.py) chooses it: tokenize the
/// check string (with special tokens, as `AutoTokenizer.encode` does), hash Python's
/// `str(list_of_ids)` with SHA-256 and look the hash up in the table. An unknown hash is a
/// typed error: convert refuses it too, and "default" would split text differently in llama.cpp.
public enum LlamaGGUFPreTokenizer {
    /// The check-string hash (`chkhsh`) of a tokenizer.json.
    public static func checkHash(tokenizerJSON: Data, path: String = "tokenizer.json") throws -> String {
        let tokenizer: Tokenizer
        let ids: [Int]
        do {
            tokenizer = try Tokenizer(jsonData: tokenizerJSON, source: path)
            ids = try tokenizer.encode(checkText, addSpecialTokens: true)
        } catch {
            throw FormatError.invalidContent(path: path, rule: "cannot tokenize convert_hf_to_gguf's check string: \(error.localizedDescription)")
        }
        // Python's str() of a list of ints: "[1, 2, 3]".
        let text = "[" + ids.map(String.init).joined(separator: ", ") + "]"
        return sha256Hex(Array(text.utf8))
    }

    /// The pre-tokenizer name for a check-string hash, or nil when convert does not know it.
    public static func name(forHash hash: String) -> String? {
        table.first { $0.hash == hash }?.pre
    }

    /// `tokenizer.ggml.pre` for the tokenizer, or `FormatError.unknownPreTokenizer`.
    public static func name(tokenizerJSON: Data, path: String = "tokenizer.json") throws -> String {
        let hash = try checkHash(tokenizerJSON: tokenizerJSON, path: path)
        guard let pre = name(forHash: hash) else { throw FormatError.unknownPreTokenizer(path: path, hash: hash) }
        return pre
    }

    /// Lower-case hex SHA-256 (OpenSSL).
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBufferPointer { b in
            digest.withUnsafeMutableBufferPointer { d in _ = SHA256(b.baseAddress, b.count, d.baseAddress) }
        }
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
