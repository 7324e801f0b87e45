/// Post-processors from tokenizer.json: they add the special tokens a model expects
/// around one sequence or a pair, and set the token-type ids.
indirect enum PostProcessor: Sendable {
    case template(single: [TemplatePiece], pair: [TemplatePiece], tokens: [String: [Int]])
    case bert(cls: Int, sep: Int)
    case roberta(cls: Int, sep: Int)
    /// ByteLevel only trims offsets, which this library does not report.
    case byteLevel
    case sequence([PostProcessor])

    enum TemplatePiece: Sendable {
        case sequence(second: Bool, typeId: Int)
        case special(id: String, typeId: Int)
    }

    /// `encodings` holds one or two encodings, their type ids already 0 and 1.
    func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        switch self {
        case let .template(single, pair, tokens):
            let template = encodings.count == 2 ? pair : single
            var out = (ids: [Int](), typeIds: [Int]())
            for piece in template {
                switch piece {
                case let .sequence(second, typeId):
                    let index = second ? 1 : 0
                    guard index < encodings.count else { continue }
                    out.ids += encodings[index].ids
                    out.typeIds += Array(repeating: typeId, count: encodings[index].ids.count)
                case let .special(id, typeId):
                    guard addSpecialTokens, let ids = tokens[id] else { continue }
                    out.ids += ids
                    out.typeIds += Array(repeating: typeId, count: ids.count)
                }
            }
            return [Encoding(ids: out.ids, typeIds: out.typeIds)]
        case let .bert(cls, sep):
            guard addSpecialTokens else { return encodings }
            return encodings.enumerated().map { i, e in
                i == 0 ? Encoding(ids: [cls] + e.ids + [sep], typeIds: [0] + e.typeIds + [0])
                       : Encoding(ids: e.ids + [sep], typeIds: e.typeIds + [1])
            }
        case let .roberta(cls, sep):
            let zeroed = encodings.map { Encoding(ids: $0.ids, typeIds: Array(repeating: 0, count: $0.ids.count)) }
            guard addSpecialTokens else { return zeroed }
            return zeroed.enumerated().map { i, e in
                let ids = i == 0 ? [cls] + e.ids + [sep] : [sep] + e.ids + [sep]
                return Encoding(ids: ids, typeIds: Array(repeating: 0, count: ids.count))
            }
        case .byteLevel:
            return encodings
        case let .sequence(steps):
            var current = encodings
            for step in steps { current = step.process(current, addSpecialTokens: addSpecialTokens) }
            return current
        }
    }

    static func parse(_ r: ComponentReader) throws -> PostProcessor {
        guard let type = r.type else { throw r.invalid("type", "missing post-processor type") }
        switch type {
        case "TemplateProcessing": return try parseTemplate(r)
        case "BertProcessing": return .bert(cls: try idPair(r, "cls"), sep: try idPair(r, "sep"))
        case "RobertaProcessing": return .roberta(cls: try idPair(r, "cls"), sep: try idPair(r, "sep"))
        case "ByteLevel": return .byteLevel
        case "Sequence":
            let items = try r.array("processors")
            return .sequence(try items.enumerated().map { i, item in
                try parse(r.child(item, name: "processors[\(i)]"))
            })
        default:
            throw TextError.unsupportedComponent(path: r.path, component: r.component, type: type)
        }
    }

    /// `["[CLS]", 101]` → 101.
    private static func idPair(_ r: ComponentReader, _ field: String) throws -> Int {
        let items = try r.array(field)
        guard items.count == 2, case .string = items[0], case let .int(id) = items[1], id >= 0 else {
            throw r.invalid(field, "expected [token, id]")
        }
        return id
    }

    private static func parseTemplate(_ r: ComponentReader) throws -> PostProcessor {
        var tokens: [String: [Int]] = [:]
        for (name, value) in try r.object("special_tokens") {
            let entry = try r.child(value, name: "special_tokens[\(name)]")
            let ids = try entry.array("ids").map { v -> Int in
                guard case let .int(id) = v, id >= 0 else { throw entry.invalid("ids", "expected non-negative integers") }
                return id
            }
            guard try entry.array("tokens").count == ids.count else {
                throw entry.invalid("tokens", "ids and tokens must have the same length")
            }
            tokens[name] = ids
        }
        func pieces(_ field: String) throws -> [TemplatePiece] {
            try r.array(field).map { item in
                let outer = try r.child(item, name: field)
                if let seq = outer.value("Sequence") {
                    let inner = try outer.child(seq, name: "Sequence")
                    let id = try inner.string("id")
                    guard id == "A" || id == "B" else { throw inner.invalid("id", "expected A or B") }
                    return .sequence(second: id == "B", typeId: try inner.int("type_id", default: 0))
                }
                if let special = outer.value("SpecialToken") {
                    let inner = try outer.child(special, name: "SpecialToken")
                    let id = try inner.string("id")
                    guard tokens[id] != nil else { throw TextError.unknownToken(path: r.path, component: r.component, token: id) }
                    return .special(id: id, typeId: try inner.int("type_id", default: 0))
                }
                throw r.invalid(field, "expected Sequence or SpecialToken pieces")
            }
        }
        return .template(single: try pieces("single"), pair: try pieces("pair"), tokens: tokens)
    }
}
