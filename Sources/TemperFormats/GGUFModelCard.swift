import Foundation

/// The YAML front matter of a model card (README.md), as far as gguf-py's `Metadata.load_model_card`
/// and `apply_metadata_heuristic` read it (llama.cpp gguf-py/gguf/metadata.py): top-level
/// `key: value` scalars (quotes stripped), `key: [a, b]` flow lists, block lists of `- item`, and
/// block list items that are one-level mappings (`- name: X` followed by indented `key: value`
/// lines, as `base_model` / `datasets` entries may be). A key with no value and no items is
/// `.null` (gguf-py sees None: present, but empty). Deeper structures are skipped. Like gguf-py,
/// the text between the first line `---` and the next is read, tabs count as two spaces, and
/// every scalar is kept as a string (YAML would read `1.0` as a number, which gguf-py cannot
/// write as a string either).
enum ModelCardFrontMatter {
    enum Item: Equatable, ExpressibleByStringLiteral {
        case scalar(String), mapping([String: String])
        init(stringLiteral value: String) { self = .scalar(value) }
    }

    enum Value: Equatable {
        case null, scalar(String), list([Item])
        var scalar: String? { if case let .scalar(s) = self { return s }; return nil }
        /// The scalar items of a list (gguf-py extends tags/languages with them).
        var list: [String]? {
            guard case let .list(items) = self else { return nil }
            return items.compactMap { if case let .scalar(s) = $0 { return s } else { return nil } }
        }
        /// gguf-py's `str` or `list` value as a list of entries (base_model, datasets); nil when null.
        var items: [Item]? {
            switch self {
            case .null: return nil
            case let .scalar(s): return [.scalar(s)]
            case let .list(items): return items
            }
        }
    }

    static func unquote(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.count >= 2, let f = t.first, f == t.last, f == "\"" || f == "'" { return String(t.dropFirst().dropLast()) }
        return t
    }

    /// `key: value` (YAML's mapping indicator is a colon followed by a space or the line end, so a
    /// URL `https://…` is a scalar), or nil.
    static func pair(_ text: String) -> (key: String, value: String)? {
        guard let first = text.first, first != "\"", first != "'", first != "[", first != "{" else { return nil }
        var index = text.startIndex
        while let colon = text[index...].firstIndex(of: ":") {
            let after = text.index(after: colon)
            if after == text.endIndex || text[after] == " " {
                let key = String(text[..<colon]).trimmingCharacters(in: .whitespaces)
                return key.isEmpty ? nil : (key, String(text[after...]).trimmingCharacters(in: .whitespaces))
            }
            index = after
        }
        return nil
    }

    static func scalar(_ raw: String) -> Value {
        let v = unquote(raw)
        return raw.isEmpty || (raw == v && ["null", "~", "Null", "NULL"].contains(v)) ? .null : .scalar(v)
    }

    static func parse(_ text: String) -> [String: Value] {
        let lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        guard lines.first == "---" else { return [:] }
        var out: [String: Value] = [:], current: String?
        var itemIndent = -1  // indentation of the current list item's mapping keys, or -1
        for raw in lines.dropFirst() {
            if raw == "---" { break }
            let line = raw.replacingOccurrences(of: "\t", with: "  ")
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let indent = line.prefix { $0 == " " }.count
            if let key = current, trimmed == "-" || trimmed.hasPrefix("- ") {
                let body = String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces)
                var items: [Item] = out[key].flatMap { if case let .list(l) = $0 { return l } else { return nil } } ?? []
                if let (k, v) = pair(body) {
                    items.append(.mapping([k: unquote(v)])); itemIndent = indent + 2
                } else {
                    items.append(.scalar(unquote(body))); itemIndent = -1
                }
                out[key] = .list(items); continue
            }
            if indent > 0 {
                // A further key of the current item's mapping; anything else nested is skipped.
                if let key = current, indent == itemIndent, let (k, v) = pair(trimmed),
                   case var .list(items)? = out[key], case var .mapping(m)? = items.last {
                    m[k] = unquote(v); items[items.count - 1] = .mapping(m); out[key] = .list(items)
                }
                continue
            }
            itemIndent = -1
            guard let (key, value) = pair(line) else { current = nil; continue }
            current = key
            if value.isEmpty { out[key] = .null; continue }
            current = nil
            if value.hasPrefix("[") && value.hasSuffix("]") {
                out[key] = .list(value.dropFirst().dropLast().split(separator: ",").map { unquote(String($0)) }.filter { !$0.isEmpty }.map(Item.scalar))
            } else {
                out[key] = scalar(value)
            }
        }
        return out
    }
}
