import Foundation
import Testing
import TemperFormats
import TemperModels
import TemperTensor
@testable import TemperAudit

/// Temper's Gram, M', Λ', M spectrum, Λ and C against Fixtures/degeneracy/reference.py (the
/// same algorithm in torch, written from rib) on Fixtures/tiny-llama and fixed token rows.
/// Tolerances: Gram 1e-5, M' and Λ' 1e-4 of each matrix's largest entry (float32 forward and
/// backward passes in both); spectra 1e-4 relative above the threshold; C columns up to sign
/// where Λ is separated from its neighbours by ≥ 1% (elsewhere a column is not unique).
@Suite struct InteractionBasisReferenceTests {
    static let folder = AuditFixtures.repoRoot.appendingPathComponent("Fixtures/degeneracy")
    static let model = AuditFixtures.repoRoot.appendingPathComponent("Fixtures/tiny-llama")

    struct Settings: Decodable {
        struct Row: Decodable { var ids: [Int]; var prompt_length: Int; var harmful: Bool }
        var threshold: Double
        var intervals: Int
        var rows: [Row]
    }

    static func reference(_ name: String, _ file: SafetensorsFile) throws -> Matrix64 {
        let record = try #require(file.record(named: name))
        let bytes = try file.bytes(of: record)
        let values = (0..<(bytes.count / 8)).map { Double(bitPattern: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self).littleEndian) }
        return try Matrix64(rows: record.shape[0], cols: record.shape.count > 1 ? record.shape[1] : 1, values: values)
    }

    static func close(_ a: Matrix64, _ b: Matrix64, relative: Double) -> Bool {
        guard a.rows == b.rows, a.cols == b.cols else { return false }
        let scale = max(b.maxAbs, 1e-300)
        return zip(a.values, b.values).allSatisfy { abs($0 - $1) <= relative * scale }
    }

    /// Spectra agree above the threshold, relative to the largest value.
    static func spectraClose(_ a: [Double], _ b: [Double], threshold: Double, relative: Double) -> Bool {
        let top = b.first ?? 1
        return zip(a, b).allSatisfy { x, y in (x < threshold && y < threshold) || abs(x - y) <= relative * top }
    }

    @Test func matchesTheTorchReference() throws {
        let settings = try JSONDecoder().decode(Settings.self, from: try Data(contentsOf: Self.folder.appendingPathComponent("tiny-llama.reference.json")))
        let file = try SafetensorsFile(url: Self.folder.appendingPathComponent("tiny-llama.reference.safetensors"))
        let lm = try LlamaModel.load(Self.model)
        let sequences = settings.rows.map { DegeneracySequence(ids: $0.ids, promptLength: $0.prompt_length, harmful: $0.harmful) }
        var config = DegeneracyConfig()
        config.threshold = settings.threshold
        config.intervals = settings.intervals
        let runner = SectionRunner(model: lm)
        // Small batches: several padded batches, so padding must not leak into the statistics.
        let batches = try DegeneracyData.batches(sequences, batchTokens: 40)
        #expect(batches.count > 2)
        let layers = try NodeLayer.select(nil, layerCount: lm.layerCount)
        let stats = try ActivationStatistics.collect(runner, batches: batches, layers: layers, gramLayers: Set(layers))
        for layer in layers {
            #expect(Self.close(stats.layers[layer]!.gram, try Self.reference("\(layer.name).gram", file), relative: 1e-5), "Gram of \(layer.name)")
        }
        var next = try InteractionBasis.svd(gram: stats.layers[.logits]!.gram, threshold: config.threshold, layer: "logits")
        #expect(Self.spectraClose(next.gramSpectrum, try Self.reference("logits.gram_spectrum", file).values, threshold: config.threshold, relative: 1e-5))
        #expect(next.c.cols == (try Self.reference("logits.C", file)).cols)
        var nextLayer = NodeLayer.logits
        for index in stride(from: lm.layerCount, through: 0, by: -1) {
            let name = "residual.\(index)"
            let ig = try IntegratedGradients.collect(runner, batches: batches, from: index, to: nextLayer, cNext: next.c, points: config.integrationPoints)
            #expect(Self.close(ig.mDash, try Self.reference("\(name).m_dash", file), relative: 1e-4), "M' of \(name)")
            #expect(Self.close(ig.lambdaDash, try Self.reference("\(name).lambda_dash", file), relative: 1e-4), "Λ' of \(name)")
            let basis = try InteractionBasis.interaction(gram: stats.layers[.residual(index)]!.gram, mDash: ig.mDash, lambdaDash: ig.lambdaDash,
                                                         threshold: config.threshold, layer: name)
            let refC = try Self.reference("\(name).C", file)
            let refLambda = try Self.reference("\(name).lambda", file).values
            #expect(basis.interactionRank == refC.cols, "interaction rank of \(name)")
            #expect(Self.spectraClose(basis.gramSpectrum, try Self.reference("\(name).gram_spectrum", file).values, threshold: config.threshold, relative: 1e-5))
            #expect(Self.spectraClose(basis.mSpectrum ?? [], try Self.reference("\(name).m_spectrum", file).values, threshold: 0, relative: 1e-4))
            #expect(Self.spectraClose(basis.lambda ?? [], refLambda, threshold: config.threshold, relative: 1e-4), "Λ of \(name)")
            var compared = 0
            for k in 0..<min(basis.c.cols, refC.cols) {
                let gapBefore = k == 0 ? Double.infinity : refLambda[k - 1] - refLambda[k]
                let gapAfter = k + 1 < refLambda.count ? refLambda[k] - refLambda[k + 1] : Double.infinity
                guard min(gapBefore, gapAfter) >= 0.01 * refLambda[k] else { continue }
                let mine = (0..<refC.rows).map { basis.c[$0, k] }, theirs = (0..<refC.rows).map { refC[$0, k] }
                let sign: Double = zip(mine, theirs).reduce(0) { $0 + $1.0 * $1.1 } < 0 ? -1 : 1
                let norm = theirs.reduce(0) { max($0, abs($1)) }
                #expect(zip(mine, theirs).allSatisfy { abs(sign * $0 - $1) <= 1e-3 * norm }, "C column \(k) of \(name)")
                compared += 1
            }
            #expect(compared >= refC.cols / 2, "\(name): only \(compared) of \(refC.cols) columns separated enough to compare")
            next = basis
            nextLayer = .residual(index)
        }
    }
}

/// The "jacobian" basis formula (LIB) against the same script's exact-Jacobian reference
/// (`tiny-llama.jacobian.safetensors`): M' within 1e-4 of its largest entry, Λ (the spectrum
/// of M) within 1e-4 relative, and the interaction rank. With random sources the estimate
/// converges to the exact M' (checked loosely: it is a Monte-Carlo estimate).
@Suite struct JacobianBasisReferenceTests {
    typealias Ref = InteractionBasisReferenceTests

    @Test func exactJacobianMatchesTheTorchReference() throws {
        let settings = try JSONDecoder().decode(Ref.Settings.self, from: try Data(contentsOf: Ref.folder.appendingPathComponent("tiny-llama.reference.json")))
        let file = try SafetensorsFile(url: Ref.folder.appendingPathComponent("tiny-llama.jacobian.safetensors"))
        let lm = try LlamaModel.load(Ref.model)
        let sequences = settings.rows.map { DegeneracySequence(ids: $0.ids, promptLength: $0.prompt_length, harmful: $0.harmful) }
        var config = DegeneracyConfig()
        config.threshold = settings.threshold
        config.intervals = settings.intervals
        let runner = SectionRunner(model: lm)
        let batches = try DegeneracyData.batches(sequences, batchTokens: 40)
        let layers = try NodeLayer.select(nil, layerCount: lm.layerCount)
        let stats = try ActivationStatistics.collect(runner, batches: batches, layers: layers, gramLayers: Set(layers))
        var next = try InteractionBasis.svd(gram: stats.layers[.logits]!.gram, threshold: config.threshold, layer: "logits")
        var nextLayer = NodeLayer.logits
        for index in stride(from: lm.layerCount, through: 0, by: -1) {
            let name = "residual.\(index)"
            let mDash = try JacobianGradients.collect(runner, batches: batches, from: index, to: nextLayer, cNext: next.c,
                                                      points: config.integrationPoints, sources: nil, seed: 0, chunk: 64)
            #expect(Ref.close(mDash, try Ref.reference("\(name).m_dash", file), relative: 1e-4), "jacobian M' of \(name)")
            let basis = try InteractionBasis.interaction(gram: stats.layers[.residual(index)]!.gram, mDash: mDash, lambdaDash: nil,
                                                         threshold: config.threshold, layer: name)
            #expect(basis.interactionRank == (try Ref.reference("\(name).C", file)).cols, "jacobian interaction rank of \(name)")
            #expect(Ref.spectraClose(basis.lambda ?? [], try Ref.reference("\(name).lambda", file).values,
                                     threshold: config.threshold, relative: 1e-4), "jacobian Λ of \(name)")
            next = basis
            nextLayer = .residual(index)
        }
    }

    @Test func randomSourcesEstimateTheExactJacobian() throws {
        let settings = try JSONDecoder().decode(Ref.Settings.self, from: try Data(contentsOf: Ref.folder.appendingPathComponent("tiny-llama.reference.json")))
        let file = try SafetensorsFile(url: Ref.folder.appendingPathComponent("tiny-llama.jacobian.safetensors"))
        let lm = try LlamaModel.load(Ref.model)
        let sequences = settings.rows.map { DegeneracySequence(ids: $0.ids, promptLength: $0.prompt_length, harmful: $0.harmful) }
        let runner = SectionRunner(model: lm)
        let batches = try DegeneracyData.batches(sequences, batchTokens: 40)
        let layers = try NodeLayer.select(nil, layerCount: lm.layerCount)
        let stats = try ActivationStatistics.collect(runner, batches: batches, layers: layers, gramLayers: Set(layers))
        let logits = try InteractionBasis.svd(gram: stats.layers[.logits]!.gram, threshold: 1e-5, layer: "logits")
        let exact = try Ref.reference("residual.2.m_dash", file)
        func relativeError(_ sources: Int) throws -> Double {
            let m = try JacobianGradients.collect(runner, batches: batches, from: 2, to: .logits, cNext: logits.c,
                                                  points: DegeneracyConfig().integrationPoints, sources: sources, seed: 7, chunk: 32)
            let diff = zip(m.values, exact.values).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            return (diff / exact.values.reduce(0) { $0 + $1 * $1 }).squareRoot()
        }
        let few = try relativeError(4), many = try relativeError(64)
        // Monte-Carlo: the error falls roughly as 1/√sources and is well under 1 with 64 sources.
        #expect(many < few)
        #expect(many < 0.5, "relative Frobenius error with 64 sources: \(many)")
    }
}
