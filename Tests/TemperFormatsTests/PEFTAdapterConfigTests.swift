import Foundation
import Testing
@testable import TemperFormats

/// adapter_config.json: read as peft writes it, written byte for byte as peft 0.21.2 does.
@Suite struct PEFTAdapterConfigTests {
    static let peftFolder = Fixture.repoRoot.appendingPathComponent("Fixtures/lora/peft-adapter")

    @Test func readsPeftsConfig() throws {
        let config = try PEFTAdapterConfig.read(folder: Self.peftFolder)
        #expect(config.rank == 4 && config.alpha == 8 && config.dropout == 0.1 && !config.useRSLoRA)
        #expect(config.targets == .names(["o_proj", "v_proj", "q_proj", "k_proj"]))
        #expect(config.baseModel == "Fixtures/tiny-llama" && config.taskType == "CAUSAL_LM")
        #expect(config.scale == 2)
    }

    /// The same settings give peft's file exactly, except that target_modules (a Python set,
    /// written in hash order by peft) comes sorted.
    @Test func writesPeftsBytes() throws {
        let peft = try String(contentsOf: Self.peftFolder.appendingPathComponent("adapter_config.json"), encoding: .utf8)
        let sortedTargets = peft.replacingOccurrences(
            of: "\"o_proj\",\n    \"v_proj\",\n    \"q_proj\",\n    \"k_proj\"", with: "\"k_proj\",\n    \"o_proj\",\n    \"q_proj\",\n    \"v_proj\"")
        #expect(sortedTargets != peft)
        let ours = PEFTAdapterConfig(rank: 4, alpha: 8, targets: .names(["q_proj", "k_proj", "v_proj", "o_proj"]), dropout: 0.1,
                                     baseModel: "Fixtures/tiny-llama")
        #expect(String(decoding: ours.fileBytes, as: UTF8.self) == sortedTargets)
    }

    @Test func roundTripsAndKeepsNumbersAsPythonWritesThem() throws {
        let dir = try makeTemporaryFolder("peft")
        defer { removeFolder(dir) }
        let config = PEFTAdapterConfig(rank: 16, alpha: 32.5, targets: .pattern(".*\\.(q|v)_proj"), dropout: 0, useRSLoRA: true,
                                       baseModel: "org/name")
        try Data(config.fileBytes).write(to: dir.appendingPathComponent(PEFTAdapterConfig.fileName))
        #expect(try PEFTAdapterConfig.read(folder: dir) == config)
        let text = String(decoding: config.fileBytes, as: UTF8.self)
        #expect(text.contains("\"lora_alpha\": 32.5,") && text.contains("\"lora_dropout\": 0.0,") && text.contains("\"r\": 16,"))
        #expect(config.scale == 32.5 / 4)
    }

    @Test func unsupportedSettingsAreTypedErrors() throws {
        let dir = try makeTemporaryFolder("peft")
        defer { removeFolder(dir) }
        let path = dir.appendingPathComponent(PEFTAdapterConfig.fileName)
        let cases: [(String, String)] = [
            (#"{"r": 4, "lora_alpha": 8, "target_modules": ["q_proj"], "use_dora": true}"#, "'use_dora'"),
            (#"{"r": 4, "target_modules": ["q_proj"], "bias": "all"}"#, "'bias'"),
            (#"{"r": 0, "target_modules": ["q_proj"]}"#, "'r'"),
            (#"{"r": 4}"#, "'target_modules'"),
            (#"{"r": 4, "target_modules": ["q_proj"], "peft_type": "IA3"}"#, "'peft_type'"),
            (#"{"r": 4, "target_modules": ["q_proj"], "rank_pattern": {"q_proj": 8}}"#, "'rank_pattern'"),
            (#"{"r": 4, "target_modules": ["q_proj"], "layers_to_transform": [0]}"#, "'layers_to_transform'"),
            (#"[1]"#, "not an object"),
        ]
        for (text, needle) in cases {
            try Data(text.utf8).write(to: path)
            #expect {
                try PEFTAdapterConfig.read(folder: dir)
            } throws: { error in
                guard case let .unsupportedInput(p, reason) = error as? FormatError else { return false }
                return p == path.path && reason.contains(needle)
            }
        }
        try FileManager.default.removeItem(at: path)
        #expect(throws: FormatError.notFound(path: path.path)) { try PEFTAdapterConfig.read(folder: dir) }
    }
}
