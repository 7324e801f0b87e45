import ArgumentParser
import Foundation
import TemperHarden

extension UnlearnMethod: ExpressibleByArgument {}

/// `temper unlearn METHOD IN OUT --forget FILE --retain FILE`: GA, GradDiff, NPO, SimNPO, RMU (METHODS.md §7).
struct UnlearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlearn",
        abstract: "Make a model forget rows while keeping others: gradient ascent, gradient difference, NPO, SimNPO or RMU.",
        discussion: UnlearnOptions.discussion)

    @Argument(help: "ga, graddiff, npo, simnpo or rmu.") var method: UnlearnMethod
    @Argument(help: "The model folder to unlearn from.") var input: String
    @Argument(help: "Output folder (must not exist unless --force).") var output: String
    @OptionGroup var unlearn: UnlearnOptions
    @OptionGroup var format: OutputOptions

    func validate() throws { try unlearn.check(method) }

    func run() throws {
        let (transform, data, preset) = try unlearn.prepared(method)
        let result = try transform.run(modelFolder: try InputPath.model(input), data: data, output: URL(fileURLWithPath: output),
                                       options: try unlearn.loop.runOptions(world: preset, input: input))
        if format.json { try Output.json(result); return }
        TrainingLoopOptions.reportLines(result.result)
        if result.forgetRetainOverlap > 0 { Output.line("forget/retain overlap: \(result.forgetRetainOverlap) row(s)") }
        if method == .rmu, let l = result.config.layer, let c = result.config.steeringCoefficient {
            Output.line(String(format: "rmu: layer %d, c %.4g (residual norm %.4g), α %g", l, c, result.config.measuredResidualNorm ?? 0,
                               transform.training.retainWeight))
        }
    }
}
