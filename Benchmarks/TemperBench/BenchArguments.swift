/// `--name value` options of one TemperBench subcommand (no ArgumentParser: TemperBench
/// links only the libraries it measures).
struct BenchArguments {
    let positional: [String]
    private let options: [String: String]

    init(_ arguments: ArraySlice<String>) throws {
        var positional: [String] = [], options: [String: String] = [:]
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument.hasPrefix("--") {
                guard let value = rest.popFirst() else { throw BenchError.usage("\(argument) needs a value") }
                options[String(argument.dropFirst(2))] = value
            } else {
                positional.append(argument)
            }
        }
        self.positional = positional
        self.options = options
    }

    func string(_ name: String, default fallback: String) -> String { options[name] ?? fallback }

    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let text = options[name] else { return fallback }
        guard let value = Int(text), value >= 0 else { throw BenchError.usage("--\(name) expects a non-negative integer, got '\(text)'") }
        return value
    }

    /// The `index`-th positional argument (a file path).
    func path(_ index: Int, _ what: String) throws -> String {
        guard index < positional.count else { throw BenchError.usage("missing \(what)") }
        return positional[index]
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case input(String)

    var description: String {
        switch self {
        case let .usage(message): return "usage: \(message)"
        case let .input(message): return message
        }
    }
}
