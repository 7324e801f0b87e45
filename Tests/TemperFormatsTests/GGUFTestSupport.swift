import Foundation
@testable import TemperFormats

/// Paths and decoders shared by the GGUF tests.
enum GGUFFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let dir = root.appendingPathComponent("Fixtures/formats/gguf")
    static let malformed = root.appendingPathComponent("Fixtures/malformed/gguf")

    static func url(_ name: String) -> URL { dir.appendingPathComponent(name) }

    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: url(name))
        return data.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url(name))) }

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(name)))
    }

    /// A fresh empty folder, removed by the caller.
    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    struct BadJSON: Error { let what: String }

    /// Decodes the typed JSON that make_gguf_fixtures.py writes for one KV value.
    static func value(_ obj: [String: Any]) throws -> GGUFValue {
        guard let typeName = obj["type"] as? String else { throw BadJSON(what: "type") }
        func int<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard let s = obj["value"] as? String, let v = T(s) else { throw BadJSON(what: "int \(obj)") }
            return v
        }
        func bits<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard let s = obj["bits"] as? String, let v = T(s, radix: 16) else { throw BadJSON(what: "bits \(obj)") }
            return v
        }
        switch typeName {
        case "uint8": return .uint8(try int(UInt8.self))
        case "int8": return .int8(try int(Int8.self))
        case "uint16": return .uint16(try int(UInt16.self))
        case "int16": return .int16(try int(Int16.self))
        case "uint32": return .uint32(try int(UInt32.self))
        case "int32": return .int32(try int(Int32.self))
        case "uint64": return .uint64(try int(UInt64.self))
        case "int64": return .int64(try int(Int64.self))
        case "float32": return .float32(Float(bitPattern: try bits(UInt32.self)))
        case "float64": return .float64(Double(bitPattern: try bits(UInt64.self)))
        case "bool":
            guard let b = obj["value"] as? Bool else { throw BadJSON(what: "bool") }
            return .bool(b)
        case "string":
            guard let s = obj["value"] as? String else { throw BadJSON(what: "string") }
            return .string(s)
        case "array":
            guard let et = obj["element_type"] as? String, let element = valueType(et),
                  let items = obj["items"] as? [[String: Any]] else { throw BadJSON(what: "array") }
            return .array(element, try items.map(value))
        default: throw BadJSON(what: typeName)
        }
    }

    static func valueType(_ name: String) -> GGUFValueType? {
        GGUFValueType.allCases.first { "\($0)" == name }
    }

    /// Expected file descriptions from expected.json, keyed by file name.
    static func expectedFiles() throws -> [String: [String: Any]] {
        guard let list = try json("expected.json") as? [[String: Any]] else { throw BadJSON(what: "expected.json") }
        var out: [String: [String: Any]] = [:]
        for f in list { if let name = f["file"] as? String { out[name] = f } }
        return out
    }

    static func expectedMetadata(_ file: [String: Any]) throws -> [GGUFKeyValue] {
        guard let kv = file["kv"] as? [[String: Any]] else { throw BadJSON(what: "kv") }
        return try kv.map { entry in
            guard let key = entry["key"] as? String else { throw BadJSON(what: "key") }
            return GGUFKeyValue(key, try value(entry))
        }
    }

    /// The tensors make_gguf_fixtures.py computes from formulas, as f32 values.
    static func formulaTensor(_ name: String) -> [Float]? {
        switch name {
        case "f32.matrix": return (0..<32).map { Float($0) * 0.5 - 7 }
        case "f16.vector": return (0..<24).map { Float($0) * 0.125 }
        case "f32.cube": return (0..<(2 * 3 * 32)).map { Float($0 % 17 - 8) }
        case "f32.odd": return (0..<15).map { Float($0) * -0.25 }
        default: return nil
        }
    }
}
