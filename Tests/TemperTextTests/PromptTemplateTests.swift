import Testing
@testable import TemperText

@Suite struct PromptTemplateTests {
    @Test func defaultJoinsWithASpace() {
        let t = PromptTemplate.default
        #expect(t.format == "{prompt} {response}" && t.addBos && t.addEos)
        let r = t.render(prompt: "add 2 3", response: "5")
        #expect(r.promptPart == "add 2 3 " && r.full == "add 2 3 5")
    }

    @Test func customFormatsKeepPlaceholdersLiteralInContent() throws {
        let t = try PromptTemplate(format: "Q: {prompt}\nA: {response} <end>", addBos: false)
        let r = t.render(prompt: "say {response}", response: "ok")
        #expect(r.promptPart == "Q: say {response}\nA: ")
        #expect(r.full == "Q: say {response}\nA: ok <end>")
        #expect(!t.addBos && t.addEos)
    }

    @Test(arguments: ["{response} {prompt}", "{prompt}", "{response}", "{prompt} {prompt} {response}",
                      "{prompt} {response} {response}", "no placeholders"])
    func invalidFormatsAreRefused(format: String) {
        #expect(throws: TextError.self) { try PromptTemplate(format: format) }
    }
}
