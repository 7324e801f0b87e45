import Foundation
import TemperFormats
import TemperModels

/// `losses.jsonl` (Formats/job.md): one JSON object per optimizer step, `{"step": k, "loss":
/// …, <every loss part>…, "lr": …, "grad_norm": …}` with k 1-based, parts in key order,
/// numbers in shortest round-trip form and a non-finite value as the string "nan", "inf" or
/// "-inf". `temper harden … --log-losses` and the torch engine write the same lines, so the
/// two runs compare key by key.
public enum LossLog {
    public static let fileName = "losses.jsonl"

    /// One step's line: the step, then the loss parts (loss among them) sorted, then lr and grad_norm.
    public static func line(step: Int, parts: [String: Double], learningRate: Double, gradientNorm: Double) -> String {
        var members = [OrderedJSON.Member(key: "step", value: .number("\(step)"))]
        for key in parts.keys.sorted() { members.append(.init(key: key, value: number(parts[key] ?? .nan))) }
        members.append(.init(key: "lr", value: number(learningRate)))
        members.append(.init(key: "grad_norm", value: number(gradientNorm)))
        return String(decoding: OrderedJSON.object(members).serialized(), as: UTF8.self)
    }

    /// Writes the lines of `progress` atomically.
    public static func write(_ progress: [TrainingProgress], to url: URL) throws {
        let text = progress.map { p in
            var parts = p.metrics
            parts["loss"] = p.loss
            return line(step: p.step, parts: parts, learningRate: p.learningRate, gradientNorm: p.gradientNorm) + "\n"
        }.joined()
        try AtomicFile.write(Data(text.utf8), to: url)
    }

    static func number(_ v: Double) -> OrderedJSON {
        if v.isNaN { return .string("nan") }
        if v.isInfinite { return .string(v > 0 ? "inf" : "-inf") }
        return .number("\(v)")
    }

    /// One parsed line: the step and every other key's value (nil where it is not a finite number).
    public struct Entry: Sendable, Equatable {
        public var step: Int
        public var values: [(key: String, value: Double?)]

        public static func == (a: Entry, b: Entry) -> Bool {
            a.step == b.step && a.values.map(\.key) == b.values.map(\.key) && a.values.map(\.value) == b.values.map(\.value)
        }

        /// The first key whose value is not a finite number.
        public var firstNonFinite: String? { values.first { $0.value.map { !$0.isFinite } ?? true }?.key }
    }

    /// Reads a losses.jsonl; a line that is not a JSON object with an integer `step` is a
    /// typed error naming the line. Python's bare `NaN`/`Infinity` literals read as non-finite.
    public static func read(_ url: URL) throws -> [Entry] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw JobError.missingFile(path: url.path) }
        var entries: [Entry] = []
        for (index, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let text = raw.replacingOccurrences(of: "-Infinity", with: "\"-inf\"").replacingOccurrences(of: "Infinity", with: "\"inf\"")
                .replacingOccurrences(of: "NaN", with: "\"nan\"")
            func bad(_ reason: String) -> JobError { .malformedLossLog(path: url.path, line: index + 1, reason: reason) }
            let json: OrderedJSON
            do { json = try OrderedJSON.parse(Array(text.utf8)) } catch { throw bad("\(error)") }
            guard let members = json.members else { throw bad("not a JSON object") }
            guard let step = json["step"]?.uint64Value.flatMap({ Int(exactly: $0) }) else { throw bad("no integer 'step'") }
            let values: [(key: String, value: Double?)] = members.filter { $0.key != "step" }.map { m in
                if case let .number(n) = m.value { return (m.key, Double(n)) }
                return (m.key, nil)
            }
            entries.append(Entry(step: step, values: values))
        }
        return entries
    }
}
