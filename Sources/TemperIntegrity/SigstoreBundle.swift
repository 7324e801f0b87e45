import Foundation
import TemperFormats

/// DSSE pre-authentication encoding (DSSE v1.0 protocol), as model_signing's `pae`:
/// `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`, lengths in ASCII decimal.
public enum DSSE {
    public static func pae(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        return Array("DSSEv1 \(type.count) ".utf8) + type + Array(" \(payload.count) ".utf8) + payload
    }
}

/// The Sigstore bundle (v0.3 media type) that model_signing's key method writes to
/// `model.sig`: the public key's hint, no transparency-log entries, and a DSSE envelope.
/// `bytes` reproduces its compact JSON exactly (no whitespace, no trailing newline).
public struct SigstoreBundle: Sendable, Equatable {
    public static let mediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

    /// SHA-256 (hex) of the signer's public key PEM; nil in bundles from before model_signing 1.0.
    public var keyHint: String?
    public var payloadType: String
    public var payload: [UInt8]
    /// DER-encoded ECDSA signature over `DSSE.pae(payloadType, payload)`.
    public var signature: [UInt8]

    public init(keyHint: String?, payloadType: String = InTotoStatement.payloadType, payload: [UInt8], signature: [UInt8]) {
        self.keyHint = keyHint; self.payloadType = payloadType; self.payload = payload; self.signature = signature
    }

    public var json: OrderedJSON {
        var key: [JSONMember] = []
        if let keyHint { key.append(JSONMember("hint", .string(keyHint))) }
        return .object([
            JSONMember("mediaType", .string(Self.mediaType)),
            JSONMember("verificationMaterial", .object([
                JSONMember("publicKey", .object(key)),
                JSONMember("tlogEntries", .array([])),
            ])),
            JSONMember("dsseEnvelope", .object([
                JSONMember("payload", .string(Data(payload).base64EncodedString())),
                JSONMember("payloadType", .string(payloadType)),
                JSONMember("signatures", .array([.object([
                    JSONMember("sig", .string(Data(signature).base64EncodedString())),
                    JSONMember("keyid", .string("")),
                ])])),
            ])),
        ])
    }

    public var bytes: [UInt8] { json.serialized(style: .serdeCompact) }

    /// A signature file is small; anything larger is refused before parsing.
    public static let maxSize = 256 << 20

    /// Reads a bundle as model_signing does (first signature of the envelope is the one
    /// checked); every structural fault is `malformedBundle` naming the file.
    public static func parse(_ bytes: [UInt8], path: String) throws -> SigstoreBundle {
        func bad(_ reason: String) -> IntegrityError { .malformedBundle(path: path, reason: reason) }
        guard !bytes.isEmpty else { throw bad("the file is empty") }
        let root: OrderedJSON
        do { root = try JSONDocument.parse(bytes, path: path) } catch let error as IntegrityError {
            if case let .invalidJSON(_, offset, reason) = error { throw bad("invalid JSON at byte \(offset): \(reason)") }
            throw error
        }
        guard root.members != nil else { throw bad("not a JSON object") }
        guard let media = root["mediaType"]?.stringValue else { throw bad("missing 'mediaType'") }
        guard media == mediaType else { throw bad("media type '\(media)' (expected '\(mediaType)')") }
        guard let material = root["verificationMaterial"], material.members != nil else { throw bad("missing 'verificationMaterial'") }
        var hint: String?
        if let key = material["publicKey"], !key.isNull {
            guard key.members != nil else { throw bad("'publicKey' is not an object") }
            if let h = key["hint"], !h.isNull {
                guard let s = h.stringValue else { throw bad("'publicKey.hint' is not a string") }
                hint = s.isEmpty ? nil : s
            }
        }
        guard let envelope = root["dsseEnvelope"], envelope.members != nil else { throw bad("missing 'dsseEnvelope'") }
        guard let payloadText = envelope["payload"]?.stringValue else { throw bad("missing 'dsseEnvelope.payload'") }
        guard let payload = Data(base64Encoded: payloadText) else { throw bad("'dsseEnvelope.payload' is not base64") }
        guard let payloadType = envelope["payloadType"]?.stringValue else { throw bad("missing 'dsseEnvelope.payloadType'") }
        guard let signatures = envelope["signatures"]?.elements, let first = signatures.first else {
            throw bad("'dsseEnvelope.signatures' is missing or empty")
        }
        guard let sigText = first["sig"]?.stringValue else { throw bad("missing 'signatures[0].sig'") }
        guard let signature = Data(base64Encoded: sigText), !signature.isEmpty else { throw bad("'signatures[0].sig' is not base64") }
        return SigstoreBundle(keyHint: hint, payloadType: payloadType, payload: Array(payload), signature: Array(signature))
    }
}
