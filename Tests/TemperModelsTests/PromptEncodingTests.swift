import Foundation
import Testing
import TemperText
@testable import TemperModels

@Suite struct PromptEncodingTests {
    /// A WordLevel tokenizer without a post-processor (like the fixture world's).
    func plainTokenizer() throws -> Tokenizer {
        let json = #"""
        {"version":"1.0","added_tokens":[{"id":0,"content":"<pad>","special":true},{"id":1,"content":"<bos>","special":true},
        {"id":2,"content":"<eos>","special":true}],"pre_tokenizer":{"type":"Whitespace"},
        "model":{"type":"WordLevel","vocab":{"<pad>":0,"<bos>":1,"<eos>":2,"<unk>":3,"a":4,"b":5},"unk_token":"<unk>"}}
        """#
        return try Tokenizer(jsonData: Data(json.utf8))
    }

    @Test func llamaPromptsStartWithBosOnce() throws {
        let model = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        let plain = try plainTokenizer()
        #expect(try model.promptIds("a b", tokenizer: plain) == [1, 4, 5])
        #expect(try model.promptIds("a b", tokenizer: plain, bos: .never) == [4, 5])
        // tiny-llama's own tokenizer adds bos in its post-processor: not twice.
        let own = try Tokenizer.load(ModelFixtures.folder("tiny-llama"))
        let ids = try model.promptIds("a", tokenizer: own)
        #expect(ids.first == 1 && ids.filter { $0 == 1 }.count == 1)
        #expect(throws: ModelError.self) { try model.promptIds("", tokenizer: plain, bos: .never) }
        #expect(try model.promptIds("", tokenizer: plain) == [1])
    }

    @Test func gpt2PromptsGetNoBosUnlessAsked() throws {
        let model = try ModelRegistry.loadCausalLM(ModelFixtures.folder("gpt2"))
        let plain = try plainTokenizer()
        #expect(try model.promptIds("a b", tokenizer: plain) == [4, 5])
        #expect(try model.promptIds("a b", tokenizer: plain, bos: .always) == [1, 4, 5])
        #expect(throws: ModelError.self) { try model.promptIds("", tokenizer: plain) }
    }
}
