import ArgumentParser

/// The subcommand table. Add a command here and in its own file.
enum TemperCommands {
    static let all: [ParsableCommand.Type] = [
        InspectCommand.self,
        ValidateCommand.self,
        ConvertCommand.self,
        FixtureCommand.self,
        EvalCommand.self,
        AttackCommand.self,
        KeygenCommand.self,
        SignCommand.self,
        VerifyCommand.self,
        HashCommand.self,
        ProvenanceCommand.self,
        DiffCommand.self,
        AuditCommand.self,
    ]
}
