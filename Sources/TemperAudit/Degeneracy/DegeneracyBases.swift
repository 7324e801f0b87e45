import Foundation
import TemperFormats

/// Writes every layer's C and C⁺ (f64) to one safetensors file, so other tools can rotate
/// activations into the interaction basis: tensors `<layer>.C` [width, rank] and
/// `<layer>.C_pinv` [rank, width], plus `<layer>.lambda` [rank] where Λ exists.
public enum DegeneracyBases {
    public static func write(_ result: DegeneracyResult, to url: URL, metadata: [(key: String, value: String)]) throws {
        var specs: [TensorSpec] = []
        var payload: [String: [Double]] = [:]
        for l in result.layers {
            guard let b = l.basis else { continue }
            let name = l.layer.name
            specs.append(TensorSpec(name: "\(name).C", dtype: .f64, shape: [b.c.rows, b.c.cols]))
            payload["\(name).C"] = b.c.values
            specs.append(TensorSpec(name: "\(name).C_pinv", dtype: .f64, shape: [b.cPinv.rows, b.cPinv.cols]))
            payload["\(name).C_pinv"] = b.cPinv.values
            if let lambda = b.lambda {
                let kept = Array(lambda.prefix(b.interactionRank))
                specs.append(TensorSpec(name: "\(name).lambda", dtype: .f64, shape: [kept.count]))
                payload["\(name).lambda"] = kept
            }
        }
        do {
            try SafetensorsWriter.write(to: url, tensors: specs, metadata: metadata) { spec in
                let values = payload[spec.name] ?? []
                var bytes = [UInt8]()
                bytes.reserveCapacity(values.count * 8)
                for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
                return bytes
            }
        } catch {
            throw AuditError.io(path: url.path, reason: "cannot write the bases: \((error as? LocalizedError)?.errorDescription ?? "\(error)")")
        }
    }
}
