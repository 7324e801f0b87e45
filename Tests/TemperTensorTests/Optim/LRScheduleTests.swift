import Testing
@testable import TemperTensor

@Suite struct LRScheduleTests {
    @Test func matchesTransformersSchedules() throws {
        let ref = try TorchReference.load()
        let cases: [(String, LRSchedule)] = [
            ("cosine", .warmupCosine(warmupSteps: 10, totalSteps: 100)),
            ("cosine_cycles", .warmupCosine(warmupSteps: 5, totalSteps: 60, cycles: 1.5)),
            ("linear", .warmupLinear(warmupSteps: 10, totalSteps: 100)),
            ("cosine_min", .warmupCosine(warmupSteps: 10, totalSteps: 100, minRate: 0.1)),
        ]
        for (name, schedule) in cases {
            let expected = try ref.array("schedule.\(name)").values
            for (step, value) in expected.enumerated() {
                #expect(Swift.abs(schedule.factor(at: step) - value) <= 1e-12, "\(name) step \(step)")
            }
        }
    }

    @Test func simpleSchedules() {
        #expect(LRSchedule.constant.factor(at: 1000) == 1)
        #expect(LRSchedule.warmupConstant(warmupSteps: 4).factor(at: 1) == 0.25)
        #expect(LRSchedule.warmupConstant(warmupSteps: 4).factor(at: 9) == 1)
        #expect(LRSchedule.warmupLinear(warmupSteps: 0, totalSteps: 10).learningRate(base: 2, step: 5) == 1)
    }
}
