/// Reads the fields of one tokenizer.json component, turning every wrong shape into a
/// `TextError` that names the file, the component and the field.
struct ComponentReader {
    let path: String
    let component: String
    let json: JSONValue

    init(path: String, component: String, json: JSONValue) throws {
        guard case .object = json else {
            throw TextError.invalidField(path: path, component: component, field: "(self)",
                                         reason: "expected an object, found \(json.kindName)")
        }
        self.path = path
        self.component = component
        self.json = json
    }

    /// The component's `type` tag, or nil when the (legacy) file leaves it out.
    var type: String? {
        if case let .string(t)? = json["type"] { return t }
        return nil
    }

    func value(_ field: String) -> JSONValue? {
        guard let v = json[field], !v.isNull else { return nil }
        return v
    }

    func require(_ field: String) throws -> JSONValue {
        guard let v = value(field) else { throw TextError.missingField(path: path, component: component, field: field) }
        return v
    }

    func invalid(_ field: String, _ reason: String) -> TextError {
        .invalidField(path: path, component: component, field: field, reason: reason)
    }

    func unsupported(_ option: String, _ reason: String) -> TextError {
        .unsupportedOption(path: path, component: component, option: option, reason: reason)
    }

    func string(_ field: String) throws -> String {
        let v = try require(field)
        guard case let .string(s) = v else { throw invalid(field, "expected a string, found \(v.kindName)") }
        return s
    }

    func optionalString(_ field: String) throws -> String? {
        guard value(field) != nil else { return nil }
        return try string(field)
    }

    func bool(_ field: String, default fallback: Bool) throws -> Bool {
        guard let v = value(field) else { return fallback }
        guard case let .bool(b) = v else { throw invalid(field, "expected a boolean, found \(v.kindName)") }
        return b
    }

    func optionalBool(_ field: String) throws -> Bool? {
        guard value(field) != nil else { return nil }
        return try bool(field, default: false)
    }

    func int(_ field: String, default fallback: Int? = nil) throws -> Int {
        guard let v = value(field) else {
            if let fallback { return fallback }
            throw TextError.missingField(path: path, component: component, field: field)
        }
        guard case let .int(i) = v, i >= 0 else { throw invalid(field, "expected a non-negative integer") }
        return i
    }

    func array(_ field: String) throws -> [JSONValue] {
        let v = try require(field)
        guard case let .array(items) = v else { throw invalid(field, "expected an array, found \(v.kindName)") }
        return items
    }

    func object(_ field: String) throws -> [(key: String, value: JSONValue)] {
        let v = try require(field)
        guard case let .object(pairs) = v else { throw invalid(field, "expected an object, found \(v.kindName)") }
        return pairs
    }

    /// A single-character field (Rust `char`), as one Unicode scalar.
    func scalar(_ field: String) throws -> Unicode.Scalar {
        let s = try string(field)
        let scalars = Array(s.unicodeScalars)
        guard scalars.count == 1 else { throw invalid(field, "expected exactly one character, found '\(s)'") }
        return scalars[0]
    }

    /// A child component reader for a nested object (e.g. one entry of a Sequence).
    func child(_ json: JSONValue, name: String) throws -> ComponentReader {
        try ComponentReader(path: path, component: "\(component) > \(name)", json: json)
    }
}
