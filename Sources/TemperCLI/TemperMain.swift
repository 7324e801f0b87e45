import ArgumentParser
import Foundation
import TemperFormats
import TemperTensor

/// The root command: it only routes to subcommands, one file each.
public struct Temper: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "temper",
        abstract: "Convert, harden, audit and sign model-weight artifacts.",
        discussion: """
        Results go to stdout (add --json for data); progress and diagnostics go to stderr. Exit codes: 0 ok, 1 failure, 3 verification failed, 64 usage, 65 bad input data.
        """,
        version: TemperVersion.string,
        subcommands: TemperCommands.all
    )
    public init() {}
}

public enum TemperVersion {
    public static let string = "0.1.0"
}

/// Errors that know their exit code (verification failures use 3).
public protocol ExitCoded: Error {
    var exitCode: Int32 { get }
}

public enum TemperMain {
    /// Parses, runs and maps every error to the documented exit codes.
    /// Once, first thing in the `temper` process (not in tests, where other threads may be
    /// inside OpenBLAS): stops the worker threads OpenBLAS started at load, which would spin
    /// for ~0.1 s of CPU in commands that never multiply matrices.
    public static func prepareProcess() {
        TensorBackend.stopIdleBLASThreads()
    }

    public static func run(_ arguments: [String]) -> Int32 {
        if let unknown = unknownHelpTopic(arguments) {
            FileHandle.standardError.write(Data("temper: error: help: no command '\(unknown)' (see `temper --help` for the list)\n".utf8))
            return 64
        }
        do {
            var command = try Temper.parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let error as ExitCoded {
            printError(error)
            return error.exitCode
        } catch let error as FormatError {
            printError(error)
            switch error {
            case .io, .writerState, .insufficientMemory: return 1
            case .notFound, .modelNotInHubCache: return 64
            default: return 65
            }
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            if error is LocalizedError {
                printError(error)
                return 1
            }
            // ArgumentParser's own errors (usage, --help, --version) print themselves.
            let code = Temper.exitCode(for: error).rawValue
            let message = Temper.fullMessage(for: error)
            if !message.isEmpty {
                // --help and --version are answers, so they go to stdout.
                let handle = code == 0 ? FileHandle.standardOutput : FileHandle.standardError
                handle.write(Data((message + "\n").utf8))
            }
            return code == 0 ? 0 : (code == 1 ? 1 : 64)
        }
    }

    /// For `temper help A B …`: the first name that is not a subcommand at its level, else nil.
    /// (ArgumentParser prints the root help with exit 0 for an unknown topic.)
    static func unknownHelpTopic(_ arguments: [String]) -> String? {
        guard arguments.first == "help" else { return nil }
        var level: [ParsableCommand.Type] = TemperCommands.all
        for name in arguments.dropFirst() where !name.hasPrefix("-") {
            guard let command = level.first(where: { $0._commandName == name }) else { return name }
            level = command.configuration.subcommands
        }
        return nil
    }

    static func printError(_ error: Error) {
        var text = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        // One line, never starting with an empty path (": …").
        text = text.split(whereSeparator: \.isNewline).joined(separator: "; ")
        if text.hasPrefix(": ") { text = "(empty path)" + text }
        FileHandle.standardError.write(Data("temper: error: \(text)\n".utf8))
    }
}
