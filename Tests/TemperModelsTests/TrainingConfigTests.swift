import Foundation
import Testing
import TemperTensor
@testable import TemperModels

@Suite struct TrainingConfigTests {
    @Test func schedulesAndWarmup() throws {
        #expect(TrainingConfig(steps: 100, warmupSteps: 10).lrSchedule == .warmupCosine(warmupSteps: 10, totalSteps: 100))
        #expect(TrainingConfig(steps: 100, warmupSteps: 10, schedule: .linear).lrSchedule == .warmupLinear(warmupSteps: 10, totalSteps: 100))
        #expect(TrainingConfig(steps: 5, schedule: .constant).lrSchedule == .warmupConstant(warmupSteps: 0))
        #expect(TrainingConfig.warmup(ratio: 0.1, steps: 25) == 3)
        let config = TrainingConfig(steps: 8, maxGradNorm: nil, seed: 3, saveEvery: 2)
        let decoded = try JSONDecoder().decode(TrainingConfig.self, from: try JSONEncoder().encode(config))
        #expect(decoded == config)
        var other = config
        other.saveEvery = 4
        #expect(config.isResumable(as: other))
        other.seed = 4
        #expect(!config.isResumable(as: other))
    }

    @Test func stepSeedsDifferAndRepeat() {
        let seeds = (0..<100).map { TrainingStep.seed(run: 7, step: $0) }
        #expect(Set(seeds).count == 100)
        #expect(TrainingStep.seed(run: 7, step: 5) == seeds[5] && TrainingStep.seed(run: 8, step: 5) != seeds[5])
    }
}
