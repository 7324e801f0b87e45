/// Arithmetic on numbers that came from a file (shapes, counts, offsets, config sizes):
/// every product, sum and narrowing conversion is checked, so a hostile value becomes a
/// typed error at the reader instead of a trap (SIGILL) somewhere downstream.
public enum CheckedMath {
    /// The element count of `dims`, or nil when it cannot be used safely. A shape is usable
    /// only when the product of its non-zero dimensions fits in `Int`: then every
    /// sub-product any later code forms (rows × columns, `dropFirst().reduce(1, *)`, strides)
    /// fits too. `[2^62, 2, 0]` and `[0, 2^62, 4]` hold no elements but are refused, since
    /// their dimensions would overflow as soon as anything multiplies two of them.
    public static func elementCount<S: Sequence>(_ dims: S) -> Int? where S.Element: BinaryInteger {
        var nonZero = 1
        var hasZero = false
        for d in dims {
            guard let dim = Int(exactly: d), dim >= 0 else { return nil }
            if dim == 0 { hasZero = true; continue }
            let (p, overflow) = nonZero.multipliedReportingOverflow(by: dim)
            if overflow { return nil }
            nonZero = p
        }
        return hasZero ? 0 : nonZero
    }

    /// a × b, or nil on overflow (or a negative operand).
    public static func product(_ a: Int, _ b: Int) -> Int? {
        guard a >= 0, b >= 0 else { return nil }
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : p
    }

    /// The product of `values`, or nil on overflow.
    public static func product(_ values: [Int]) -> Int? {
        var total = 1
        for v in values {
            guard let p = product(total, v) else { return nil }
            total = p
        }
        return total
    }

    /// a + b, or nil on overflow.
    public static func sum(_ a: UInt64, _ b: UInt64) -> UInt64? {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : s
    }

    /// a × b, or nil on overflow.
    public static func product(_ a: UInt64, _ b: UInt64) -> UInt64? {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : p
    }

    /// `value` as a UInt32 (GGUF's u32 fields), or nil when it does not fit.
    public static func uint32(_ value: Int) -> UInt32? { UInt32(exactly: value) }

    /// `value` as an Int32, or nil when it does not fit.
    public static func int32(_ value: Int) -> Int32? { Int32(exactly: value) }
}
