import Foundation

/// gguf-py `Metadata.get_model_id_components`, `id_to_title` and
/// `utility.model_weight_count_rounded_notation` (llama.cpp gguf-py/gguf/metadata.py, utility.py).
enum ModelID {
    struct Components: Equatable {
        var fullName: String?, organization: String?, basename: String?, finetune: String?, version: String?, sizeLabel: String?
    }

    static func matches(_ s: String, _ pattern: String) -> Bool {
        s.range(of: "^(?:\(pattern))$", options: [.regularExpression, .caseInsensitive]) != nil
    }

    static func components(_ id: String, totalParams: Int) -> Components {
        if id.contains(" ") { return Components(fullName: id) }
        var org: String?, full = id
        if let slash = id.firstIndex(of: "/") { org = String(id[..<slash]); full = String(id[id.index(after: slash)...]) }
        if let o = org, o.first == "." { org = nil }
        var parts = full.split(separator: "-", omittingEmptySubsequences: true).map(String.init)
        var types = [Set<String>](repeating: [], count: parts.count)
        for i in parts.indices {
            var part = parts[i]
            if matches(part, #"(v|iter)?\d+([.]\d+)*"#) {
                types[i].insert("version")
            } else if matches(part, #"i?q\d(_\w)*|b?fp?(16|32)"#) {
                types[i].insert("type"); parts[i] = part.uppercased()
            } else if i > 0, matches(part, #"(([A]|\d+[x])?\d+([._]\d+)?[KMBT][\d]?|small|mini|medium|large|x?xl)"#) {
                part = part.replacingOccurrences(of: "_", with: ".")
                var chars = Array(part)
                if let last = chars.last, last.isASCII, last.isNumber, chars.count >= 2 {      // bloom-7b1 → 7.1b
                    chars = Array(chars.dropLast(2)) + ["."] + [last, chars[chars.count - 2]]
                }
                if chars.count > 1, chars[chars.count - 2].isASCII, chars[chars.count - 2].isNumber, "kmbt".contains(chars[chars.count - 1]) {
                    chars[chars.count - 1] = Character(chars[chars.count - 1].uppercased())
                }
                part = String(chars)
                if totalParams != 0, let value = Double(String(part.dropLast())),
                   let scale = " KMBT".firstIndex(of: part.last ?? " ").map({ " KMBT".distance(from: " KMBT".startIndex, to: $0) }) {
                    let label = value * pow(1000, Double(scale))
                    if (totalParams < 0 && label < Double(abs(totalParams) / 8))
                        || (totalParams > 0 && abs(label - Double(totalParams)) > Double(7 * totalParams / 8)) {
                        types[i].insert("finetune")
                        part = String(part.dropLast()) + (part.last.map { String($0).lowercased() } ?? "")
                    }
                }
                if types[i].isEmpty { types[i].insert("size_label") }
                parts[i] = part
            } else if i > 0, matches(part, "chat|instruct|vision|lora") {
                if totalParams < 0 && part.lowercased() == "lora" { types[i].insert("type") } else { types[i].insert("finetune") }
            }
        }
        let numericSize = zip(parts, types).contains { $1.contains("size_label") && $0.contains(where: \.isNumber) }
        if numericSize {
            for i in parts.indices where types[i].contains("size_label") && parts[i].allSatisfy(\.isLetter) { types[i].remove("size_label") }
        }
        var atStart = true
        for i in parts.indices {
            if atStart && ((types[i].isEmpty && (parts[i].first?.isLetter ?? false)) || types[i].contains("version")) {
                types[i].insert("basename")
            } else {
                atStart = false
                if types[i].isEmpty { types[i].insert("finetune") }
            }
        }
        for i in parts.indices.reversed() {
            if types[i].contains("basename") && types[i].count > 1 { types[i].remove("basename") } else { break }
        }
        func joined(_ t: String, unique: Bool = false, excluding: String? = nil) -> String? {
            var seen = Set<String>(), out: [String] = []
            for (p, ty) in zip(parts, types) where ty.contains(t) && !(excluding.map(ty.contains) ?? false) {
                if unique { guard seen.insert(p).inserted else { continue } }
                out.append(p)
            }
            return out.isEmpty ? nil : out.joined(separator: "-")
        }
        var c = Components(fullName: full, organization: org, basename: joined("basename"), finetune: joined("finetune"),
                           version: joined("version", excluding: "basename"), sizeLabel: joined("size_label", unique: true))
        if c.sizeLabel == nil && c.finetune == nil && c.version == nil { c.basename = nil }
        return c
    }

    /// Title-cases lowercase words that are not versions or numbers; '-' becomes ' '.
    static func title(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "-", with: " ")
            .split(whereSeparator: \.isWhitespace).map { w -> String in
                let word = String(w)
                let isLower = word.contains(where: \.isLetter) && word == word.lowercased()
                return isLower && !matches(word, #"v\d+(?:\.\d+)*|\d.*"#) ? pythonTitle(word) : word
            }.joined(separator: " ")
    }

    /// Python's str.title(): a letter after a non-letter is upper-cased, others lower-cased.
    static func pythonTitle(_ s: String) -> String {
        var out = "", previousIsLetter = false
        for ch in s {
            out += previousIsLetter ? ch.lowercased() : ch.uppercased()
            previousIsLetter = ch.isLetter
        }
        return out
    }

    /// `model_weight_count_rounded_notation(n, min_digits=2)`.
    static func roundedCount(_ n: Int) -> String {
        let v = Double(n)
        let (scaled, suffix): (Double, String) = v > 1e12 ? (v * 1e-12, "T") : v > 1e9 ? (v * 1e-9, "B") : v > 1e6 ? (v * 1e-6, "M") : (v * 1e-3, "K")
        let digits = String(Int(scaled.rounded(.toNearestOrEven))).drop { $0 == "0" }.count
        return String(format: "%.\(max(2 - digits, 0))f", scaled) + suffix
    }
}
