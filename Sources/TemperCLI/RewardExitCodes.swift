import ArgumentParser
import TemperReward

/// Exit codes for reward-audit errors: 65 for bad input data (env.json, reward artifacts,
/// trajectories, explanation reports), 64 for unusable arguments, 1 for I/O faults.
extension RewardError: ExitCoded {
    public var exitCode: Int32 {
        if isBadInput { return 65 }
        if case .invalidArgument = self { return 64 }
        return 1
    }
}

extension GenerationMethod: ExpressibleByArgument {}
