import Foundation

/// A one-line progress display on stderr (rewritten in place on a terminal, one line per
/// 10% once a second has passed otherwise), with a rate and an ETA. Never touches stdout.
final class ProgressLine {
    private let label: String
    private let start = Date()
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastDecile = -1
    private var lastDraw = Date.distantPast
    private var drew = false

    init(label: String) { self.label = label }

    func update(_ done: Int, _ total: Int, _ item: String) {
        update(done, total, item, eta: nil)
    }

    /// `eta` overrides the estimate from this display's own start (a resumed run knows better).
    func update(_ done: Int, _ total: Int, _ item: String, eta known: TimeInterval?) {
        guard total > 0 else { return }
        let elapsed = Date().timeIntervalSince(start)
        let eta = known ?? (done > 0 ? elapsed / Double(done) * Double(total - done) : 0)
        let text = "\(label): \(done)/\(total) \(item) [\(Self.clock(elapsed)) elapsed, ETA \(Self.clock(eta))]"
        if isTerminal {
            guard Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = Date()
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            drew = true
        } else {
            // Logs get a line per 10%, and only for work long enough to need one.
            let decile = done * 10 / total
            guard decile != lastDecile, elapsed >= 1 else { return }
            lastDecile = decile
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    func finish() {
        if isTerminal && drew { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func clock(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
