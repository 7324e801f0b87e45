import Foundation
import Testing
import TemperHarden
@testable import TemperAudit

/// Recovery curves from hand-built attack points, checked against numbers worked out by hand.
@Suite struct RelearnSummaryTests {
    static func point(_ step: Int, forget: Double, forgetLL: Double, retain: Double = 0.9, utility: Double = 0.8) -> String {
        #"{"step":\#(step),"harmfulRate":{},"harmfulLogLikelihood":{"forget-heldout":\#(forgetLL),"retain":-1,"utility":-2},"#
            + #""judgeRates":{"forget-heldout":{"exact-match":\#(forget)},"retain":{"exact-match":\#(retain)},"utility":{"exact-match":\#(utility)}}}"#
    }

    static func report(_ runs: [(lr: Double, seed: Int, points: [String])]) throws -> AttackReport {
        let runJSON = runs.map { #"{"learningRate":\#($0.lr),"seed":\#($0.seed),"points":[\#($0.points.joined(separator: ","))]}"# }
        let json = #"{"model":"u","data":[],"sets":["forget-heldout","retain","utility"],"metric":"exact-match","judges":[],"template":"t","#
            + #""attackedSplit":"forget-heldout","grid":{"learningRates":[0.0001,0.0003],"budgets":[5,10],"seeds":[0,1],"batchSize":4,"threshold":1},"#
            + #""runs":[\#(runJSON.joined(separator: ","))]}"#
        return try JSONDecoder().decode(AttackReport.self, from: Data(json.utf8))
    }

    let base = RelearnMetrics(forgetAccuracy: 1.0, forgetLogLikelihood: -0.5, retainAccuracy: 1, retainLogLikelihood: -1, utility: 0.9)
    let unlearned = RelearnMetrics(forgetAccuracy: 0.2, forgetLogLikelihood: -4.5, retainAccuracy: 0.9, retainLogLikelihood: -1, utility: 0.8)

    @Test func recoveryIsTheFractionOfTheGapAveragedOverSeeds() throws {
        let report = try Self.report([
            (1e-4, 0, [Self.point(0, forget: 0.2, forgetLL: -4.5), Self.point(5, forget: 0.4, forgetLL: -2.5), Self.point(10, forget: 1.0, forgetLL: -0.5)]),
            (1e-4, 1, [Self.point(0, forget: 0.2, forgetLL: -4.5), Self.point(5, forget: 0.6, forgetLL: -3.5), Self.point(10, forget: 0.2, forgetLL: -4.5)]),
            // Diverged after step 5: step 10 has one seed.
            (3e-4, 0, [Self.point(0, forget: 0.2, forgetLL: -4.5), Self.point(5, forget: 0.1, forgetLL: -5.5)]),
            (3e-4, 1, [Self.point(0, forget: 0.2, forgetLL: -4.5), Self.point(5, forget: 0.2, forgetLL: -4.5, retain: 0.5),
                       Self.point(10, forget: 0.6, forgetLL: -2.5)]),
        ])
        let curves = try RelearnSummary.curves(report, kind: .forgetPart, base: base, unlearned: unlearned)
        #expect(curves.map(\.learningRate) == [1e-4, 3e-4] && curves.allSatisfy { $0.kind == .forgetPart })
        let p5 = curves[0].points[0]
        // Accuracy: (0.4 − 0.2)/0.8 = 0.25 and (0.6 − 0.2)/0.8 = 0.5 → 0.375 ± 0.1768.
        #expect(p5.step == 5 && abs(p5.forgetAccuracyRecovery!.mean - 0.375) < 1e-12)
        #expect(abs(p5.forgetAccuracyRecovery!.sd - 0.125 * 2.0.squareRoot()) < 1e-12)
        // Log-likelihood: (−2.5 + 4.5)/4 = 0.5 and (−3.5 + 4.5)/4 = 0.25.
        #expect(abs(p5.forgetLogLikelihoodRecovery!.mean - 0.375) < 1e-12 && abs(p5.forgetAccuracy.mean - 0.5) < 1e-12)
        #expect(p5.retainAccuracy.mean == 0.9 && p5.utility?.mean == 0.8)
        let p10 = curves[0].points[1]
        #expect(p10.forgetAccuracyRecovery!.mean == 0.5 && p10.forgetAccuracyRecovery!.n == 2)
        // Worse than the unlearned model: negative recovery; the diverged seed is left out at step 10.
        #expect(abs(curves[1].points[0].forgetAccuracyRecovery!.mean - (-0.0625)) < 1e-12)
        #expect(curves[1].points[0].retainAccuracy.mean == 0.7)
        #expect(curves[1].points[1].forgetAccuracy.n == 1 && abs(curves[1].points[1].forgetAccuracyRecovery!.mean - 0.5) < 1e-12)

        let worst = RelearnSummary.worstCase(curves)
        #expect(worst.map(\.step) == [5, 10] && worst[0].accuracyLearningRate == 1e-4 && abs(worst[0].accuracyRecovery! - 0.375) < 1e-12)
        #expect(abs(worst[1].accuracyRecovery! - 0.5) < 1e-12)
    }

    @Test func noGapMeansNoRecovery() throws {
        let report = try Self.report([(1e-4, 0, [Self.point(0, forget: 1, forgetLL: -4.5), Self.point(5, forget: 1, forgetLL: -4)])])
        let same = RelearnMetrics(forgetAccuracy: 1, forgetLogLikelihood: -4.5, retainAccuracy: 1, retainLogLikelihood: -1, utility: 0.9)
        let curves = try RelearnSummary.curves(report, kind: .unrelated, base: base, unlearned: same)
        #expect(curves[0].points[0].forgetAccuracyRecovery == nil)
        #expect(abs(curves[0].points[0].forgetLogLikelihoodRecovery!.mean - 0.125) < 1e-12)
    }

    @Test func aPointWithoutTheForgetMetricIsAnError() throws {
        let bad = #"{"step":5,"harmfulRate":{},"harmfulLogLikelihood":{},"judgeRates":{}}"#
        let report = try Self.report([(1e-4, 0, [Self.point(0, forget: 0.2, forgetLL: -4.5), bad])])
        #expect(throws: AuditError.self) { try RelearnSummary.curves(report, kind: .forgetPart, base: base, unlearned: unlearned) }
    }
}
