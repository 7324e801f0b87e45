/// Broadcasting arithmetic (NumPy rules) and tensor–scalar arithmetic.
extension Tensor {
    static func binary(_ kind: BinaryKind, _ op: Op, _ a: Tensor, _ b: Tensor, name: String) throws -> Tensor {
        let shape = a.shape == b.shape ? a.shape : try Shape.broadcast(a.shape, b.shape, op: name)
        return record(op, BroadcastKernels.binary(kind, a, b, outShape: shape), inputs: [a, b])
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try binary(.add, .add, a, b, name: "add") }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try binary(.sub, .sub, a, b, name: "sub") }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try binary(.mul, .mul, a, b, name: "mul") }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try binary(.div, .div, a, b, name: "div") }

    public static func + (a: Tensor, s: Float) -> Tensor { a.unary(.addScalar(s)) }
    public static func + (s: Float, a: Tensor) -> Tensor { a.unary(.addScalar(s)) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.unary(.addScalar(-s)) }
    public static func - (s: Float, a: Tensor) -> Tensor { a.unary(.neg).unary(.addScalar(s)) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.unary(.mulScalar(s)) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.unary(.mulScalar(s)) }
    /// Multiplies by 1/s (may differ from true division in the last bit).
    public static func / (a: Tensor, s: Float) -> Tensor { a.unary(.mulScalar(1 / s)) }
    public static func / (s: Float, a: Tensor) -> Tensor { a.unary(.reciprocal).unary(.mulScalar(s)) }
    public static prefix func - (a: Tensor) -> Tensor { a.unary(.neg) }
}
