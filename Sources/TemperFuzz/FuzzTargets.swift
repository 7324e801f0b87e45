import Foundation
import TemperFormats
import TemperIntegrity
import TemperModels
import TemperText

/// Every parser that reads bytes a user or a download can hand Temper, as a function of one
/// input. A target may throw (a typed refusal is the right answer to bad input); it must not
/// trap, hang or allocate without bound. `make fuzz` runs each under libFuzzer + ASan.
enum FuzzTargets {
    static let all: [String: @Sendable (Data) throws -> Void] = [
        "safetensors": safetensors,
        "gguf": gguf,
        "sharded-index": shardedIndex,
        "tokenizer": tokenizer,
        "config": config,
        "chat-template": chatTemplate,
        "jsonl": jsonl,
        "bundle": bundle,
        "provenance": provenance,
        "manifest": manifest,
    ]

    /// A safetensors file held in memory: the header and every record's layout.
    static func safetensors(_ data: Data) throws {
        _ = try data.withUnsafeBytes { try SafetensorsHeader.parse(file: $0, path: "fuzz.safetensors", fileName: "fuzz.safetensors") }
    }

    /// A GGUF file (GGUF is read through a mapping, so the input goes to a scratch file),
    /// then every tensor's first values as the loaders would decode them.
    static func gguf(_ data: Data) throws {
        let url = try Scratch.file("fuzz.gguf", data)
        let file = try GGUFFile(url: url)
        for t in file.tensors.prefix(4) where t.elementCount <= 1 << 16 {
            _ = try file.withBytes(of: t) { bytes in
                try GGMLDequantize.decode(bytes, as: t.type, count: Int(t.elementCount), tensor: t.name, path: url.path)
            }
        }
    }

    /// model.safetensors.index.json beside two tiny valid shards.
    static func shardedIndex(_ data: Data) throws {
        let folder = try Scratch.folder("index")
        try data.write(to: folder.appendingPathComponent("model.safetensors.index.json"))
        _ = try ShardedCheckpoint(url: folder.appendingPathComponent("model.safetensors.index.json"))
    }

    /// tokenizer.json, then a string with contractions, digits, unicode and a special token.
    static func tokenizer(_ data: Data) throws {
        let t = try Tokenizer(jsonData: data, source: "fuzz/tokenizer.json")
        _ = try t.encode("It's 2026: naïve café — 東京 <|endoftext|> 12345", addSpecialTokens: true)
    }

    /// config.json as each architecture's decoder and the GGUF export read it.
    static func config(_ data: Data) throws {
        // Each decoder sees the input even when an earlier one refused it.
        refusalsIgnored { _ = try LlamaConfig(data: data, path: "fuzz/config.json") }
        refusalsIgnored { _ = try GPT2Config(data: data, path: "fuzz/config.json") }
        refusalsIgnored { _ = try BERTConfig(data: data, path: "fuzz/config.json") }
        _ = try LlamaGGUFConfig.decode(configJSON: data, path: "fuzz/config.json")
    }

    /// A chat template (Jinja subset), parsed and rendered on a two-turn conversation.
    static func chatTemplate(_ data: Data) throws {
        let template = try JinjaTemplate(String(decoding: data, as: UTF8.self), source: "fuzz template")
        let chat = ChatTemplate(template: template, specialTokens: [("bos_token", "<s>"), ("eos_token", "</s>")])
        let messages = TemplateValue.list([
            .dict([("role", .string("user")), ("content", .string("hello"))]),
            .dict([("role", .string("assistant")), ("content", .string("hi"))]),
        ])
        _ = try chat.render(messages: messages, addGenerationPrompt: true, now: { Date(timeIntervalSince1970: 0) })
    }

    static func jsonl(_ data: Data) throws { _ = try JSONLDataset(data: data, path: "fuzz.jsonl") }

    /// A Sigstore bundle, then its in-toto payload.
    static func bundle(_ data: Data) throws {
        let b = try SigstoreBundle.parse(Array(data), path: "fuzz/model.sig")
        _ = try InTotoStatement.parse(b.payload, path: "fuzz/model.sig")
    }

    static func provenance(_ data: Data) throws {
        let folder = try Scratch.folder("prov")
        try data.write(to: folder.appendingPathComponent(ProvenanceLog.fileName))
        _ = try ProvenanceLog.read(folder: folder.path)
    }

    static func manifest(_ data: Data) throws {
        refusalsIgnored { _ = try Manifest.parse(Array(data), path: "fuzz/temper.manifest.json") }
        _ = try PartialManifest.parse(Array(data), path: "fuzz/part.json")
    }
}

/// Runs `body`; a thrown error is the parser refusing the input, which is fine here.
func refusalsIgnored(_ body: () throws -> Void) {
    do { try body() } catch {}
}

/// Scratch files for targets whose parser takes a path: one folder per process under
/// /dev/shm (or the temporary folder), reused for every input.
enum Scratch {
    nonisolated(unsafe) static var root: URL?

    static func folder(_ name: String) throws -> URL {
        let base: URL
        if let root { base = root } else {
            let shm = URL(fileURLWithPath: "/dev/shm")
            let parent = FileManager.default.fileExists(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
            base = parent.appendingPathComponent("temper-fuzz-\(getpid())")
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            root = base
        }
        let folder = base.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func file(_ name: String, _ data: Data) throws -> URL {
        let url = try folder("files").appendingPathComponent(name)
        try data.write(to: url)
        return url
    }
}
