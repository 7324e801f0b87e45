import Testing
@testable import TemperTensor

@Suite struct TensorRNGTests {
    @Test func matchesIndependentPythonXoshiro() throws {
        let ref = try TorchReference.load()
        for seed in [0, 42] {
            var rng = TensorRNG(seed: UInt64(seed))
            let expected = try ref.array("rng.seed\(seed)").int64.map { UInt64(bitPattern: $0) }
            #expect(expected.count == 8)
            for e in expected { #expect(rng.next() == e) }
        }
        var rng = TensorRNG(seed: 7)
        let normals = try ref.array("rng.normals_seed7").values
        for e in normals { #expect(Swift.abs(Double(rng.nextNormal()) - e) < 1e-6) }
    }

    @Test func sameSeedSameBitsAndSensibleMoments() throws {
        var a = TensorRNG(seed: 123), b = TensorRNG(seed: 123)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        var rng = TensorRNG(seed: 9)
        let x = try Tensor.randn([20000], mean: 1, std: 2, rng: &rng)
        let mean = try x.mean().item(), variance = try ((x - mean).square()).mean().item()
        #expect(Swift.abs(mean - 1) < 0.05 && Swift.abs(variance - 4) < 0.15)
        let u = try Tensor.uniform([20000], low: -1, high: 3, rng: &rng).toArray()
        #expect(u.allSatisfy { $0 >= -1 && $0 < 3 })
        #expect(Swift.abs(u.reduce(0, +) / 20000 - 1) < 0.05)
        var r = TensorRNG(seed: 4)
        #expect((0..<1000).allSatisfy { _ in (0..<7).contains(r.nextInt(below: 7)) })
        var items = Array(0..<10)
        r.shuffle(&items)
        #expect(items.sorted() == Array(0..<10) && items != Array(0..<10))
    }
}
