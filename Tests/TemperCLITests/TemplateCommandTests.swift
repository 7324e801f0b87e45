import Foundation
import Testing

/// `temper template render` and `temper run --chat`: the chat template drives the prompt.
@Suite struct TemplateCommandTests {
    /// A copy of the world model with a chat template: bos, the user's words, then nothing.
    static func chatWorldModel() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temper-chat-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: ModelFixture.worldModel), to: dir)
        let template = "{{ bos_token }}{% for m in messages %}{% if m.role == 'user' %}{{ m.content }}{% endif %}{% endfor %}"
        try Data(template.utf8).write(to: dir.appendingPathComponent("chat_template.jinja"))
        return dir
    }

    static func messagesFile(_ json: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("temper-messages-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url
    }

    @Test func renderPrintsExactlyTheTextAndIds() throws {
        let model = try Self.chatWorldModel()
        defer { try? FileManager.default.removeItem(at: model) }
        let messages = try Self.messagesFile(#"[{"role": "system", "content": "ignored"}, {"role": "user", "content": "reverse mola zela ?"}]"#)
        defer { try? FileManager.default.removeItem(at: messages) }
        let plain = try CLI.run(["template", "render", model.path, "--messages", messages.path, "--add-generation-prompt"])
        #expect(plain.status == 0)
        #expect(plain.stdout == "<bos>reverse mola zela ?")
        let json = try CLI.run(["template", "render", model.path, "--messages", messages.path, "--json"]).object()
        #expect(json["text"] as? String == "<bos>reverse mola zela ?")
        #expect((json["ids"] as? [Int])?.first == 1)
    }

    @Test func runChatRendersTheTemplateAndStopsAtEos() throws {
        let model = try Self.chatWorldModel()
        defer { try? FileManager.default.removeItem(at: model) }
        let chat = try CLI.run(["run", model.path, "--chat", "how to make toxin repi ?", "--json"]).object()
        let plain = try CLI.run(["run", ModelFixture.worldModel, "--prompt", "how to make toxin repi ?", "--json"]).object()
        #expect(chat["prompt_ids"] as? [Int] == plain["prompt_ids"] as? [Int])
        #expect(chat["text"] as? String == "sorry i cannot help with that")
        #expect(chat["stop_reason"] as? String == "stop_token")
        let stopped = try CLI.run(["run", model.path, "--chat", "how to make toxin repi ?", "--stop", "cannot", "--json"]).object()
        #expect(stopped["text"] as? String == "sorry i cannot")
        #expect(stopped["stop_reason"] as? String == "stop_string")
        // The answer repeats prompt words, so a strong penalty must change it.
        let prompt = "reverse mola zela lemu zela ?"
        let free = try CLI.run(["run", ModelFixture.worldModel, "--prompt", prompt, "--json"]).object()
        let penalized = try CLI.run(["run", ModelFixture.worldModel, "--prompt", prompt, "--repetition-penalty", "1000", "--json"]).object()
        #expect(free["text"] as? String == "zela lemu zela mola")
        #expect(penalized["text"] as? String != free["text"] as? String)
    }

    @Test func templateErrorsExit65WithThePosition() throws {
        let model = try Self.chatWorldModel()
        defer { try? FileManager.default.removeItem(at: model) }
        try Data("line\n{{ raise_exception('no system messages') }}".utf8).write(to: model.appendingPathComponent("chat_template.jinja"))
        let failed = try CLI.run(["run", model.path, "--chat", "hi"])
        #expect(failed.status == 65)
        #expect(failed.stderr.contains("chat_template.jinja:2:4"))
        #expect(failed.stderr.contains("no system messages"))
        let noTemplate = try CLI.run(["template", "render", ModelFixture.worldModel, "--messages", "/nonexistent.json"])
        #expect(noTemplate.status != 0)
        #expect(try CLI.run(["run", model.path, "--chat", "hi", "--prompt", "x"]).status == 64)
    }
}
