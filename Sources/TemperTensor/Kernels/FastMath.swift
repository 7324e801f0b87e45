/// eˣ in f32 without a libm call, so loops using it vectorise (libm's expf is a scalar call
/// per element). Cephes' polynomial on the reduced argument (≈1 ulp), 2ⁿ applied in two
/// halves so results reach the subnormal range; exact 0 below −104, ∞ above ln(FLT_MAX),
/// NaN stays NaN. Every step is plain arithmetic or bit manipulation (no traps).
@inline(__always)
func fastExp(_ x: Float) -> Float {
    let clamped = Swift.min(Swift.max(x, -104), 88.72283)
    let shifted = clamped * 1.44269504088896341 + 12_582_912 // 1.5·2²³ rounds to an integer
    let n = shifted - 12_582_912
    var r = clamped - n * 0.693359375
    r = r - n * -2.12194440e-4
    var p: Float = 1.9875691500e-4
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * (r * r) + r + 1
    let k = Int32(bitPattern: shifted.bitPattern &- 0x4B40_0000)
    let k1 = k &>> 1, k2 = k &- k1
    let s1 = Float(bitPattern: UInt32(bitPattern: (k1 &+ 127) &<< 23))
    let s2 = Float(bitPattern: UInt32(bitPattern: (k2 &+ 127) &<< 23))
    var result = y * s1 * s2
    result = x < -104 ? 0 : result
    result = x > 88.72283 ? .infinity : result
    return x != x ? x : result
}

/// σ(x) = 1 / (1 + e⁻ˣ) with `fastExp`.
@inline(__always)
func fastSigmoid(_ x: Float) -> Float { 1 / (1 + fastExp(-x)) }
