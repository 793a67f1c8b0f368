import Matcher
import TestSupport
import Testing

struct LinearAlgebraTests {
    static func naiveProduct(_ a: Matrix, _ b: Matrix) -> [Double] {
        var out = [Double](repeating: 0, count: a.rows * b.columns)
        for i in 0..<a.rows {
            for j in 0..<b.columns {
                var s = 0.0
                for t in 0..<a.columns { s += Double(a[i, t]) * Double(b[t, j]) }
                out[i * b.columns + j] = s
            }
        }
        return out
    }

    static func random(_ r: Int, _ c: Int, _ rng: inout SplitMix64) -> Matrix {
        try! Matrix(rows: r, columns: c, values: rng.gaussianVector(r * c))
    }

    @Test("sgemm products, with each transposition, match a naive triple loop")
    func products() throws {
        var rng = SplitMix64(seed: 11)
        let a = Self.random(7, 9, &rng), b = Self.random(9, 5, &rng)
        let expected = Self.naiveProduct(a, b)
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let left = ta ? a.transposed : a, right = tb ? b.transposed : b
            let got = try left.multiplied(by: right, transposingSelf: ta, transposingOther: tb)
            #expect(got.rows == 7 && got.columns == 5)
            for (x, y) in zip(got.values, expected) { #expect(abs(Double(x) - y) < 1e-4) }
        }
        #expect(throws: MatcherError.self) { _ = try a.multiplied(by: a) }
        let v = rng.gaussianVector(9)
        let mv = try a.multiplied(by: v)
        let col = try Matrix(rows: 9, columns: 1, values: v)
        for (x, y) in zip(mv, Self.naiveProduct(a, col)) { #expect(abs(Double(x) - y) < 1e-4) }
    }

    @Test("SVD: descending singular values, orthonormal factors, and full rank reconstructs A",
          arguments: [(6, 4), (4, 6), (30, 30), (1, 5)])
    func svd(shape: (Int, Int)) throws {
        var rng = SplitMix64(seed: UInt64(shape.0 * 100 + shape.1))
        let a = Self.random(shape.0, shape.1, &rng)
        let full = try SVD.truncated(a, rank: min(shape.0, shape.1))
        #expect(zip(full.singularValues, full.singularValues.dropFirst()).allSatisfy { $0 >= $1 })
        for (x, y) in zip(full.reconstructed().values, a.values) { #expect(abs(x - y) < 1e-3) }
        let utu = try full.u.multiplied(by: full.u, transposingSelf: true)
        for i in 0..<full.rank {
            for j in 0..<full.rank { #expect(abs(utu[i, j] - (i == j ? 1 : 0)) < 1e-3) }
        }
        // Truncation keeps the leading triplets: the error is the dropped singular values' energy.
        if full.rank > 1 {
            let cut = try SVD.truncated(a, rank: 1)
            #expect(cut.rank == 1 && abs(cut.singularValues[0] - full.singularValues[0]) < 1e-3)
            let err = zip(cut.reconstructed().values, a.values).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            let dropped = full.singularValues.dropFirst().reduce(0.0) { $0 + Double($1 * $1) }
            #expect(abs(err - dropped) < 1e-2 * max(1, dropped))
        }
    }

    @Test("SVD refuses empty and non-finite input")
    func svdErrors() {
        #expect(throws: MatcherError.self) { _ = try SVD.truncated(Matrix(rows: 0, columns: 3), rank: 1) }
        #expect(throws: MatcherError.self) { _ = try SVD.truncated(Matrix(rows: 2, columns: 2, values: [1, .nan, 0, 1]), rank: 1) }
        #expect(throws: MatcherError.self) { _ = try Matrix(rows: 2, columns: 2, values: [1]) }
    }
}
