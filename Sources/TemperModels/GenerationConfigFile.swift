import Foundation
import TemperFormats

/// The end-of-sequence ids a folder's `generation_config.json` names (`eos_token_id`: one id
/// or a list), which transformers' `generate` stops at; empty when the file is absent.
public enum GenerationConfigFile {
    struct Raw: Decodable {
        var eos_token_id: TokenIDList?
    }

    public static func eosTokenIds(folder: URL) throws -> [Int] {
        let url = folder.appendingPathComponent("generation_config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let raw = try ConfigFile.decode(Raw.self, from: try ConfigFile.data(at: url), path: url.path)
        return raw.eos_token_id?.ids ?? []
    }

    /// Where a chat turn ends: generation_config.json's eos ids, the tokenizer's eos (the
    /// template's end-of-turn token for instruct models), else the model config's eos ids.
    public static func chatStopIds(folder: URL, tokenizerEos: Int?, modelEos: [Int]) throws -> [Int] {
        var ids = try eosTokenIds(folder: folder)
        if ids.isEmpty { ids = modelEos }
        if let tokenizerEos, !ids.contains(tokenizerEos) { ids.append(tokenizerEos) }
        return ids
    }
}
