import Testing
@testable import TemperAudit

@Suite struct RecoveryTests {
    @Test func fractionOfTheGap() {
        #expect(Recovery.fraction(after: 0.6, unlearned: 0.2, base: 1.0).map { abs($0 - 0.5) < 1e-12 } == true)
        #expect(Recovery.fraction(after: -3, unlearned: -5, base: -1) == 0.5)
        // Further from the base than the unlearned model: negative.
        #expect(Recovery.fraction(after: 0.1, unlearned: 0.2, base: 1.0).map { $0 < 0 } == true)
        // No gap, or a non-finite value: undefined.
        #expect(Recovery.fraction(after: 0.5, unlearned: 0.3, base: 0.3) == nil)
        #expect(Recovery.fraction(after: .nan, unlearned: 0.2, base: 1) == nil)
    }

    @Test func meanAndSampleStandardDeviation() throws {
        let s = try #require(MeanSD([1, 2, 3, 4]))
        #expect(s.mean == 2.5 && s.n == 4)
        #expect(abs(s.sd - (5.0 / 3).squareRoot()) < 1e-12)
        #expect(MeanSD([7])?.sd == 0 && MeanSD([]) == nil)
    }
}
