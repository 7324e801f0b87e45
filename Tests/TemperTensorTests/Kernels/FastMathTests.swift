import Foundation
import Testing
@testable import TemperTensor

@Suite struct FastMathTests {
    @Test func fastExpIsWithinTwoUlpsOfLibm() {
        var worst: Float = 0
        var x: Float = -103
        while x < 88.7 {
            let exact = Float(Foundation.exp(Double(x)))
            let ulps = Swift.abs(fastExp(x) - exact) / exact.ulp
            worst = Swift.max(worst, ulps)
            x += 0.0137
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
    }

    @Test func fastExpEdges() {
        #expect(fastExp(0) == 1)
        #expect(fastExp(-.infinity) == 0 && fastExp(-104.5) == 0)
        #expect(fastExp(.infinity) == .infinity && fastExp(89) == .infinity)
        #expect(fastExp(.nan).isNaN)
        #expect(fastExp(88.7).isFinite && fastExp(-100) > 0 && fastExp(-100) < Float.leastNormalMagnitude)
        #expect(fastSigmoid(-200) == 0 && fastSigmoid(200) == 1)
    }

    @Test func maxRowHandlesNaNAndTails() {
        let values: [Float] = [1, 5, -2, 3, 9, 0, 4, 4, 7, 12, -1]
        values.withUnsafeBufferPointer { p in
            #expect(ReduceKernels.maxRow(p.baseAddress!, 11) == 12)
            #expect(ReduceKernels.maxRow(p.baseAddress!, 3) == 5)
            #expect(ReduceKernels.maxRow(p.baseAddress!, 0) == -.infinity)
        }
        let withNaN: [Float] = [1, 2, .nan, 3, 4, 5, 6, 7, 8]
        withNaN.withUnsafeBufferPointer { #expect(ReduceKernels.maxRow($0.baseAddress!, 9).isNaN) }
    }
}
