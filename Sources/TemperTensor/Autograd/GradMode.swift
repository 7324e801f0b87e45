/// Whether ops record graphs. Task-local (thread-local outside tasks), so a `noGrad` scope
/// in one task never affects another.
public enum GradMode {
    @TaskLocal public static var isEnabled: Bool = true
}

/// Runs `body` without recording any graph (inference, updates, evaluation).
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.$isEnabled.withValue(false) { try body() }
}

/// Async form of `noGrad`.
public func noGrad<T>(_ body: () async throws -> T) async rethrows -> T {
    try await GradMode.$isEnabled.withValue(false) { try await body() }
}

/// Re-enables recording inside a `noGrad` scope.
public func withGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.$isEnabled.withValue(true) { try body() }
}
