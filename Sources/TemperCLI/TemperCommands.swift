import ArgumentParser

/// The subcommand table. Add a command here and in its own file.
enum TemperCommands {
    static let all: [ParsableCommand.Type] = [
        InspectCommand.self,
        ValidateCommand.self,
        ConvertCommand.self,
        TokenizeCommand.self,
        RunCommand.self,
        TemplateCommand.self,
        LogitsCommand.self,
        EmbedCommand.self,
        FinetuneCommand.self,
        MergeAdapterCommand.self,
        FixtureCommand.self,
        EvalCommand.self,
        AttackCommand.self,
        KeygenCommand.self,
        SignCommand.self,
        VerifyCommand.self,
        HashCommand.self,
        ManifestCommand.self,
        ProvenanceCommand.self,
        DiffCommand.self,
        HardenCommand.self,
        UnlearnCommand.self,
        JobCommand.self,
        AuditCommand.self,
        ExplainRewardCommand.self,
    ]
}
