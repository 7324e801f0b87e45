extension ContinuousClock.Instant {
    /// Seconds from this instant until now (training summaries, generation timings).
    public var secondsElapsed: Double {
        let d = (ContinuousClock.now - self).components
        return Double(d.seconds) + Double(d.attoseconds) * 1e-18
    }
}
