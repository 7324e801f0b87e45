/// How a prompt and a response become one training text: a format string with exactly one
/// `{prompt}` followed by exactly one `{response}`, plus whether bos/eos ids frame it.
/// The default, `{prompt} {response}` with bos and eos, gives `<bos> prompt response <eos>`.
public struct PromptTemplate: Sendable, Equatable {
    public let format: String
    public let addBos: Bool
    public let addEos: Bool
    /// The literal text before `{prompt}`, between the placeholders, and after `{response}`.
    private let head: String, middle: String, tail: String

    public static let `default` = PromptTemplate(head: "", middle: " ", tail: "", addBos: true, addEos: true)

    private init(head: String, middle: String, tail: String, addBos: Bool, addEos: Bool) {
        self.head = head
        self.middle = middle
        self.tail = tail
        self.addBos = addBos
        self.addEos = addEos
        format = head + "{prompt}" + middle + "{response}" + tail
    }

    public init(format: String, addBos: Bool = true, addEos: Bool = true) throws {
        let p = Self.ranges(of: "{prompt}", in: format)
        let r = Self.ranges(of: "{response}", in: format)
        guard p.count == 1 else { throw TextError.invalidTemplate(format: format, reason: "needs exactly one {prompt}, found \(p.count)") }
        guard r.count == 1 else { throw TextError.invalidTemplate(format: format, reason: "needs exactly one {response}, found \(r.count)") }
        guard p[0].upperBound <= r[0].lowerBound else {
            throw TextError.invalidTemplate(format: format, reason: "{prompt} must come before {response}")
        }
        let u = Array(format.utf8)
        func text(_ range: Range<Int>) -> String { String(decoding: u[range], as: UTF8.self) }
        self.init(head: text(0..<p[0].lowerBound), middle: text(p[0].upperBound..<r[0].lowerBound),
                  tail: text(r[0].upperBound..<u.count), addBos: addBos, addEos: addEos)
    }

    /// The text up to where the response starts, and the whole text.
    public func render(prompt: String, response: String) -> (promptPart: String, full: String) {
        let promptPart = head + prompt + middle
        return (promptPart, promptPart + response + tail)
    }

    /// The text a generated answer continues: the prompt part without its trailing spaces
    /// and tabs. A space before the response belongs to the response's first token in
    /// byte-level and SentencePiece BPE (" word" is one token), so training and generation
    /// both end the prompt here; the separator, when it stays a token of its own, is learned
    /// as part of the answer.
    public func generationText(prompt: String) -> String {
        var text = Substring(head + prompt + middle)
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }

    /// Byte ranges of a literal placeholder (UTF-8, exact).
    private static func ranges(of needle: String, in haystack: String) -> [Range<Int>] {
        let h = Array(haystack.utf8), n = Array(needle.utf8)
        var out: [Range<Int>] = []
        var i = 0
        while i + n.count <= h.count {
            if h[i..<(i + n.count)].elementsEqual(n) { out.append(i..<(i + n.count)); i += n.count } else { i += 1 }
        }
        return out
    }
}
