import ArgumentParser

/// `temper harden …`: the weight-rewriting safety transforms.
struct HardenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "harden",
        abstract: "Rewrite a checkpoint so that harmful fine-tuning cannot easily restore what it refuses.",
        discussion: """
        Each transform trains IN on the world's paired harmful/refusal rows (plus a retain term on harmless rows), writes OUT atomically as a Hugging Face folder with temper.provenance.json (IN's chain + this rewrite with its full config), and signs OUT when --key is given. Progress goes to stderr; a run whose loss stops being finite stops with an error and saves the last good weights as OUT.last-good.
        """,
        subcommands: [HardenRepNoiseCommand.self, HardenAdversarialCommand.self, HardenLATCommand.self])
}
