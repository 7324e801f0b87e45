import ArgumentParser

/// The subcommand table. Add a command here and in its own file.
enum TemperCommands {
    static let all: [ParsableCommand.Type] = []
}
