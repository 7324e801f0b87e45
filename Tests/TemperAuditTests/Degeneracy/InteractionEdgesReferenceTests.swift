import Foundation
import Testing
import TemperFormats
import TemperModels
import TemperTensor
@testable import TemperAudit

/// rib's edge formulas against Fixtures/degeneracy/reference.py (`tiny-llama.edges.safetensors`:
/// `linalg.calc_edge_functional` and `calc_edge_squared` in torch, in the reference's own bases,
/// one row at a time). Temper computes them on padded batches of several rows with the same
/// bases; edges agree within 1e-4 of each matrix's largest |entry| (float32 passes on both sides).
@Suite struct InteractionEdgesReferenceTests {
    typealias Ref = InteractionBasisReferenceTests

    struct Fixture {
        let runner: SectionRunner
        let batches: [DegeneracyBatch]
        let bases: SafetensorsFile
        let edges: SafetensorsFile
        let layerCount: Int
        let points: [(alpha: Double, weight: Double)]
    }

    static func fixture() throws -> Fixture {
        let settings = try JSONDecoder().decode(Ref.Settings.self, from: try Data(contentsOf: Ref.folder.appendingPathComponent("tiny-llama.reference.json")))
        let lm = try LlamaModel.load(Ref.model)
        let sequences = settings.rows.map { DegeneracySequence(ids: $0.ids, promptLength: $0.prompt_length, harmful: $0.harmful) }
        var config = DegeneracyConfig()
        config.intervals = settings.intervals
        return Fixture(runner: SectionRunner(model: lm), batches: try DegeneracyData.batches(sequences, batchTokens: 40),
                       bases: try SafetensorsFile(url: Ref.folder.appendingPathComponent("tiny-llama.reference.safetensors")),
                       edges: try SafetensorsFile(url: Ref.folder.appendingPathComponent("tiny-llama.edges.safetensors")),
                       layerCount: lm.layerCount, points: config.integrationPoints)
    }

    static func computeEdges(_ fx: Fixture, from index: Int, _ settings: InteractionEdges.Settings) throws -> Matrix64 {
        let next: NodeLayer = index < fx.layerCount ? .residual(index + 1) : .logits
        let weights = try InteractionEdges.compute(fx.runner, batches: fx.batches, from: index, to: next,
                                                   cIn: try Ref.reference("residual.\(index).C", fx.bases),
                                                   cInPinv: try Ref.reference("residual.\(index).C_pinv", fx.bases),
                                                   cOut: try Ref.reference("\(next.name).C", fx.bases), points: fx.points, settings: settings)
        return try Matrix64(rows: weights.count, cols: weights.first?.count ?? 0, values: weights.flatMap { $0 })
    }

    @Test(arguments: EdgeFormula.allCases)
    func exactEdgesMatchTheTorchReference(_ formula: EdgeFormula) throws {
        let fx = try Self.fixture()
        #expect(fx.batches.count > 2)
        for index in 0...fx.layerCount {
            let mine = try Self.computeEdges(fx, from: index, InteractionEdges.Settings(formula: formula, sources: nil, seed: 0, chunk: 24))
            let theirs = try Ref.reference("residual.\(index).\(formula.rawValue)", fx.edges)
            #expect(theirs.maxAbs > 0)
            let close = Ref.close(mine, theirs, relative: 1e-4)
            #expect(close, "\(formula) edges from residual.\(index)")
            if formula == .squared { #expect(mine.values.allSatisfy { $0 >= 0 }) }
        }
    }

    /// ±1 sources over output positions estimate the exact squared edges without bias: on one
    /// batch, 32 sources put the total edge mass within 20% of the exact edges' and the matrices
    /// correlate above 0.8; the same seed gives the same edges whatever the chunking.
    @Test func randomSourcesEstimateTheSquaredEdges() throws {
        let full = try Self.fixture()
        let fx = Fixture(runner: full.runner, batches: Array(full.batches.prefix(1)), bases: full.bases, edges: full.edges,
                         layerCount: full.layerCount, points: full.points)
        let exact = try Self.computeEdges(fx, from: 1, InteractionEdges.Settings(formula: .squared, sources: nil, seed: 0, chunk: 64))
        let estimate = try Self.computeEdges(fx, from: 1, InteractionEdges.Settings(formula: .squared, sources: 32, seed: 3, chunk: 64))
        let a: [Double] = estimate.values, b: [Double] = exact.values
        let totalA = a.reduce(0, +), totalB = b.reduce(0, +)
        #expect(abs(totalA - totalB) <= 0.2 * totalB, "total \(totalA) vs exact \(totalB)")
        let meanA = totalA / Double(a.count), meanB = totalB / Double(b.count)
        var cov = 0.0, varA = 0.0, varB = 0.0
        for (x, y) in zip(a, b) {
            cov += (x - meanA) * (y - meanB)
            varA += (x - meanA) * (x - meanA)
            varB += (y - meanB) * (y - meanB)
        }
        let correlation = cov / (varA * varB).squareRoot()
        #expect(correlation > 0.8, "correlation \(correlation)")
        let few = try Self.computeEdges(fx, from: 1, InteractionEdges.Settings(formula: .squared, sources: 2, seed: 5, chunk: 64))
        let again = try Self.computeEdges(fx, from: 1, InteractionEdges.Settings(formula: .squared, sources: 2, seed: 5, chunk: 7))
        let same = Ref.close(again, few, relative: 1e-6)
        #expect(same)
    }

    @Test func rejectsSourcesWithoutSquaredEdges() throws {
        var config = DegeneracyConfig()
        config.edgeSources = 4
        #expect(throws: AuditError.self) { try config.validate() }
        config.edgeFormula = .squared
        try config.validate()
        config.edgeSources = 0
        #expect(throws: AuditError.self) { try config.validate() }
    }
}
