import Foundation

/// A model folder's chat template with the variables transformers gives it. Sources, as
/// transformers reads them: `chat_template.jinja` (the default) and
/// `additional_chat_templates/NAME.jinja`; when neither exists, `tokenizer_config.json`'s
/// `chat_template` (a string, or a list of `{name, template}`). The special tokens
/// (`bos_token`, `eos_token`, `unk_token`, `sep_token`, `pad_token`, `cls_token`,
/// `mask_token`) come from `tokenizer_config.json` (strings or `{"content": …}`), with
/// `special_tokens_map.json` filling the ones it leaves out.
public struct ChatTemplate: Sendable {
    public let template: JinjaTemplate
    /// Template variables for the special tokens, e.g. `("eos_token", "<|im_end|>")`.
    public let specialTokens: [(name: String, content: String)]

    public static let specialTokenNames = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]

    public init(template: JinjaTemplate, specialTokens: [(name: String, content: String)]) {
        self.template = template
        self.specialTokens = specialTokens
    }

    /// The template of `folder`; `name` picks a named one (default: "default").
    public static func load(folder: URL, name: String? = nil) throws -> ChatTemplate {
        let (text, source) = try templateText(folder: folder, name: name)
        return ChatTemplate(template: try JinjaTemplate(text, source: source), specialTokens: try specialTokens(folder: folder))
    }

    private static func readText(_ url: URL) throws -> String {
        do {
            let data = try TextFile.read(url, limit: 1 << 26)
            guard let text = String(data: data, encoding: .utf8) else { throw TextError.io(path: url.path, reason: "not UTF-8 text") }
            return text
        } catch let e as TextError { throw e } catch {
            throw TextError.io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
    }

    private static func readJSON(_ url: URL) throws -> JSONValue? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data = try TextFile.read(url, limit: 1 << 30)
        return try JSONParser.parse(data, path: url.path)
    }

    /// The template text and the name to cite in errors.
    static func templateText(folder: URL, name: String?) throws -> (String, String) {
        let fm = FileManager.default
        var named: [(name: String, text: String, source: String)] = []
        let jinja = folder.appendingPathComponent("chat_template.jinja")
        if fm.fileExists(atPath: jinja.path) { named.append(("default", try readText(jinja), jinja.path)) }
        let extra = folder.appendingPathComponent("additional_chat_templates")
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: extra.path, isDirectory: &isFolder), isFolder.boolValue {
            let files: [String]
            do { files = try fm.contentsOfDirectory(atPath: extra.path) } catch {
                throw TextError.io(path: extra.path, reason: "cannot list the folder: \(error.localizedDescription)")
            }
            for file in files.sorted() where file.hasSuffix(".jinja") {
                let url = extra.appendingPathComponent(file)
                named.append((String(file.dropLast(6)), try readText(url), url.path))
            }
        }
        let configURL = folder.appendingPathComponent("tokenizer_config.json")
        if named.isEmpty, let config = try readJSON(configURL) {
            switch config["chat_template"] {
            case let .string(text)?: named.append(("default", text, configURL.path + " (chat_template)"))
            case let .array(items)?:
                for (i, item) in items.enumerated() {
                    guard case let .string(n)? = item["name"], case let .string(text)? = item["template"] else {
                        throw TextError.invalidField(path: configURL.path, component: "tokenizer_config", field: "chat_template[\(i)]",
                                                     reason: "expected {\"name\": …, \"template\": …}")
                    }
                    named.append((n, text, configURL.path + " (chat_template '\(n)')"))
                }
            case nil, .null?: break
            case let other?:
                throw TextError.invalidField(path: configURL.path, component: "tokenizer_config", field: "chat_template",
                                             reason: "expected a string or a list, found \(other.kindName)")
            }
        }
        guard !named.isEmpty else {
            throw TextError.noChatTemplate(path: folder.path, reason: "neither chat_template.jinja nor tokenizer_config.json's chat_template")
        }
        let wanted = name ?? "default"
        if named.count == 1, name == nil { return (named[0].text, named[0].source) }
        guard let hit = named.first(where: { $0.name == wanted }) else {
            throw TextError.noChatTemplate(path: folder.path, reason: "no template named '\(wanted)' (there are: "
                                           + named.map(\.name).joined(separator: ", ") + ")")
        }
        return (hit.text, hit.source)
    }

    static func specialTokens(folder: URL) throws -> [(name: String, content: String)] {
        let configURL = folder.appendingPathComponent("tokenizer_config.json")
        let mapURL = folder.appendingPathComponent("special_tokens_map.json")
        let config = try readJSON(configURL)
        let map = try readJSON(mapURL)
        var out: [(name: String, content: String)] = []
        for name in specialTokenNames {
            for (json, url) in [(config, configURL), (map, mapURL)] {
                guard let value = json?[name] else { continue }
                switch value {
                case .null: continue
                case let .string(s): out.append((name, s))
                case .object:
                    guard case let .string(s)? = value["content"] else {
                        throw TextError.invalidField(path: url.path, component: "tokenizer_config", field: name,
                                                     reason: "expected a string or {\"content\": …}")
                    }
                    out.append((name, s))
                default:
                    throw TextError.invalidField(path: url.path, component: "tokenizer_config", field: name,
                                                 reason: "expected a string or {\"content\": …}, found \(value.kindName)")
                }
                break
            }
        }
        return out
    }

    /// The variables transformers passes: messages (keys whose value is null dropped), `tools`
    /// and `documents` as None, `add_generation_prompt`, the special tokens, then `extra`.
    public func variables(messages: TemplateValue, addGenerationPrompt: Bool,
                          extra: [String: TemplateValue] = [:]) -> [String: TemplateValue] {
        var vars: [String: TemplateValue] = ["tools": .none, "documents": .none]
        for token in specialTokens { vars[token.name] = .string(token.content) }
        vars["messages"] = Self.normalized(messages)
        vars["add_generation_prompt"] = .bool(addGenerationPrompt)
        for (k, v) in extra { vars[k] = v }
        return vars
    }

    /// transformers drops message keys whose value is None and copies reasoning fields
    /// (`reasoning_content`, `thinking`, `reasoning`) to `thinking` and `reasoning_content`.
    static func normalized(_ messages: TemplateValue) -> TemplateValue {
        guard case let .list(items) = messages else { return messages }
        return .list(items.map { message in
            guard case let .dict(pairs) = message else { return message }
            let kept = pairs.filter { !$0.value.isNone }
            guard let reasoning = ["reasoning_content", "thinking", "reasoning"].lazy.compactMap({ kept.value($0) }).first else {
                return .dict(kept)
            }
            // Python's {"thinking": r, **message, "reasoning_content": r}
            var out: [(key: String, value: TemplateValue)] = [("thinking", reasoning)]
            func put(_ key: String, _ value: TemplateValue) {
                if let i = out.firstIndex(where: { $0.key == key }) { out[i].value = value } else { out.append((key, value)) }
            }
            for pair in kept { put(pair.key, pair.value) }
            put("reasoning_content", reasoning)
            return .dict(out)
        })
    }

    public func render(messages: TemplateValue, addGenerationPrompt: Bool, extra: [String: TemplateValue] = [:],
                       now: @escaping @Sendable () -> Date = { Date() }) throws -> String {
        guard case let .list(items) = messages, !items.isEmpty else {
            throw TextError.invalidArgument(name: "messages", reason: "expected a non-empty list of messages")
        }
        for (i, m) in items.enumerated() {
            guard case .dict = m else { throw TextError.invalidArgument(name: "messages[\(i)]", reason: "a message must be an object") }
        }
        return try template.render(variables(messages: messages, addGenerationPrompt: addGenerationPrompt, extra: extra), now: now)
    }
}

extension Array where Element == (key: String, value: TemplateValue) {
    func value(_ key: String) -> TemplateValue? { first { $0.key == key }?.value }
}
