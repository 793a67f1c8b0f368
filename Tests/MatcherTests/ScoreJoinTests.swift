import Matcher
import Synchronization
import TestSupport
import Testing

/// `ScoreJoin` against a naive double loop: every pair visited exactly once with its inner
/// product, on any tile size and worker count; `pairs(atLeast:)` equal to the pairs a full
/// product and a filter give.
@Suite struct ScoreJoinTests {
    static func matrices(q: Int, n: Int, d: Int, seed: UInt64) throws -> (Matrix, Matrix) {
        var rng = SplitMix64(seed: seed)
        // Small integers: every product is exact in Float, so results compare exactly.
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float(Int.random(in: -3...3, using: &rng)) } }
        return (try Matrix(rows: q, columns: d, values: values(q * d)), try Matrix(rows: n, columns: d, values: values(n * d)))
    }

    static func naive(_ a: Matrix, _ b: Matrix) -> [Float] {
        var out = [Float](repeating: 0, count: a.rows * b.rows)
        for i in 0..<a.rows {
            for j in 0..<b.rows {
                var s: Float = 0
                for c in 0..<a.columns { s += a.values[i * a.columns + c] * b.values[j * b.columns + c] }
                out[i * b.rows + j] = s
            }
        }
        return out
    }

    @Test(arguments: [(q: 1, n: 1, d: 3, tile: 256, workers: 1), (q: 37, n: 19, d: 11, tile: 8, workers: 1),
                      (q: 300, n: 45, d: 64, tile: 256, workers: 2), (q: 513, n: 7, d: 5, tile: 100, workers: 3),
                      (q: 10, n: 10, d: 0, tile: 4, workers: 2)])
    func everyPairOnceWithItsProduct(_ c: (q: Int, n: Int, d: Int, tile: Int, workers: Int)) throws {
        let (a, b) = try Self.matrices(q: c.q, n: c.n, d: c.d, seed: UInt64(c.q * 1000 + c.n))
        let expected = Self.naive(a, b)
        let seen = Mutex([Int](repeating: 0, count: c.q * c.n))
        let got = Mutex([Float](repeating: .nan, count: c.q * c.n))
        try ScoreJoin.forEachTile(queries: a, rows: b, tileRows: c.tile, workers: c.workers) { _, first, count, scores in
            #expect(count <= c.tile && scores.count == count * c.n)
            seen.withLock { s in for i in 0..<(count * c.n) { s[first * c.n + i] += 1 } }
            got.withLock { g in for i in 0..<(count * c.n) { g[first * c.n + i] = scores[i] } }
        }
        #expect(seen.withLock { $0 }.allSatisfy { $0 == 1 })
        #expect(got.withLock { $0 } == expected)
    }

    @Test func pairsAtLeastAThresholdAreTheFilteredProduct() throws {
        let (a, b) = try Self.matrices(q: 200, n: 90, d: 16, seed: 7)
        let full = Self.naive(a, b)
        var expected: [ScoreJoin.Pair] = []
        for i in 0..<200 { for j in 0..<90 where full[i * 90 + j] >= 6 { expected.append(.init(query: i, row: j, score: full[i * 90 + j])) } }
        #expect(!expected.isEmpty)
        #expect(try ScoreJoin.pairs(queries: a, rows: b, atLeast: 6, tileRows: 33) == expected)
    }

    @Test func mismatchedColumnsAreRefused() throws {
        let a = Matrix(rows: 2, columns: 3), b = Matrix(rows: 2, columns: 4)
        #expect(throws: MatcherError.self) { try ScoreJoin.pairs(queries: a, rows: b, atLeast: 0) }
    }
}
