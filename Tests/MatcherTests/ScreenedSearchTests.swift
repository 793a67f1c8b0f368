@testable @_spi(Tuning) import Matcher
import TestSupport
import Testing

/// The bf16 screen on the tile units (`ScreenKernel`): its scores against the proven bound, and
/// screened batches against the naive loop + full sort, including data where the screen cannot
/// tell rows apart at all. Skipped where the CPU has no AMX (the screen never runs there).
@Suite(.enabled(if: ScreenKernel.available, "the CPU has no AMX tiles"))
struct ScreenedSearchTests {
    static let screened = SearchTuning(screen: true, screenBatchesFrom: 2)
    static let screenedThreads = SearchTuning(threads: 2, rowsPerClaim: 64, rowBlock: 64, rowTile: 64,
                                              screen: true, screenBatchesFrom: 2)
    static let screenedGather = SearchTuning(threads: 2, path: .gather, rowTile: 64, screen: true, screenBatchesFrom: 2)

    @Test("screen scores lie within c_d ‖q‖ ‖x‖ of the exact dot product", arguments: [1, 31, 32, 33, 256, 1000])
    func scoresWithinBound(d: Int) {
        var rng = SplitMix64(seed: 0x5C4EE4 &+ UInt64(d))
        let queryCount = 20, rowCount = 300
        // Magnitudes from 1e-3 to 1e3, so the bound's scaling by the norms is exercised.
        func vector() -> [Float] {
            let scale = Float([1e-3, 1, 1e3][Int.random(in: 0..<3, using: &rng)])
            return rng.gaussianVector(d).map { $0 * scale }
        }
        let queries = (0..<queryCount).flatMap { _ in vector() }
        let rows = (0..<rowCount).flatMap { _ in vector() }
        let (scores, norms) = ScreenKernel.rawScores(queries: queries, queryCount: queryCount, rows: rows,
                                                     rowCount: rowCount, dimension: d)
        let c = ScreenKernel.slackPerNorm(dimension: d)
        for r in 0..<rowCount {
            let x = rows[(r * d)..<((r + 1) * d)]
            let norm = x.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(Double(norms[r]) - norm) <= Double(d + 2) * 0x1p-23 * norm, "row \(r) norm")
            for q in 0..<queryCount {
                let v = queries[(q * d)..<((q + 1) * d)]
                let exact = zip(v, x).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let qNorm = v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                let error = abs(Double(scores[q][r]) - exact)
                #expect(error <= c * qNorm * norm, "d=\(d) query \(q) row \(r): error \(error)")
            }
        }
    }

    /// Every value just below the midpoint 1 + 2⁻⁸ between bf16's 1 and 1 + 2⁻⁷ rounds down by
    /// almost u = 2⁻⁸, in q and in x alike, so the screen's score falls short by almost 2u of
    /// ‖q‖ ‖x‖: the bound holds, and nothing much smaller would.
    @Test("the bound is nearly reached where every value rounds the same way", arguments: [1, 64, 1000])
    func boundIsTight(d: Int) {
        let v = Float(1 + 0x1p-8 - 0x1p-20)
        let ones = [Float](repeating: v, count: d)
        let (scores, _) = ScreenKernel.rawScores(queries: ones, queryCount: 1, rows: ones, rowCount: 1, dimension: d)
        let exact = Double(d) * Double(v) * Double(v)
        let relative = (exact - Double(scores[0][0])) / exact
        let c = ScreenKernel.slackPerNorm(dimension: d)
        #expect(relative <= c && relative >= 0.9 * c, "d=\(d): relative error \(relative), bound \(c)")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let n: Int, d: Int, queries: Int, metric: Metric
        var testDescription: String { "n=\(n) d=\(d) Q=\(queries) \(metric)" }
    }

    @Test("screened batches agree with the reference on gaussian data", arguments: [
        Case(n: 1, d: 1, queries: 2, metric: .innerProduct), Case(n: 300, d: 7, queries: 17, metric: .cosine),
        Case(n: 4097, d: 33, queries: 40, metric: .innerProduct), Case(n: 5000, d: 256, queries: 33, metric: .cosine),
    ])
    func gaussian(c: Case) throws {
        let seed: UInt64 = 0x5C4EE5 &+ UInt64(c.n * 31 + c.d)
        let twin = try Twin.make(n: c.n, d: c.d, metric: c.metric, integers: false, seed: seed)
        var rng = SplitMix64(seed: seed)
        let rows = (0..<c.queries).map { _ in rng.gaussianVector(c.d) }
        let snapshot = twin.index.snapshot
        let half = Set(twin.ids.filter { _ in Bool.random(using: &rng) })
        let maxNorm = (0..<c.n).map { r in
            Double(VectorMath.norm(Array(twin.reference.values[(r * c.d)..<((r + 1) * c.d)])))
        }.max() ?? 1
        for (filterName, allowed) in [("none", Set<UInt64>?.none), ("50%", half)] {
            let filter = allowed.map { snapshot.filter(ids: $0) }
            let allow: ((UInt64) -> Bool)? = allowed.map { s in { s.contains($0) } }
            for k in [1, 10, 300] {
                for (name, tuning) in [("1 thread", Self.screened), ("2 threads", Self.screenedThreads),
                                       ("gather", Self.screenedGather)] {
                    let got = try snapshot.search(queries: Matrix(rowVectors: rows), k: k, filter: filter, tuning: tuning)
                    for i in 0..<c.queries {
                        let all = twin.reference.scores(rows[i])
                        let truth = Dictionary(uniqueKeysWithValues: zip(twin.reference.ids, all))
                        let scale = c.metric == .cosine ? 1.0 : Double(VectorMath.norm(rows[i])) * maxNorm
                        expectAgreement(got[i], twin.reference.search(rows[i], k: k, allowed: allow), referenceScores: truth,
                                        tolerance: tolerance(dimension: c.d, scale: scale), exact: false, allowed: allow,
                                        "\(c.testDescription) query \(i) k=\(k) filter=\(filterName) \(name)")
                    }
                }
            }
        }
    }

    /// Rows on one line through the origin, x_i = (1 + 10⁻⁴ s_i) b with distinct s_i: bf16 cannot
    /// tell them apart (its step is 2⁻⁸), so every row stays a candidate, the lists grow far past
    /// their first size, and only the exact rescoring orders them.
    @Test("rows the screen cannot separate still come back in exact order")
    func indistinguishableRows() throws {
        let d = 64, n = 3000
        var rng = SplitMix64(seed: 0x11E)
        let base = rng.gaussianVector(d)
        let steps = Array(0..<n).shuffled(using: &rng)
        let index = try FlatIndex(dimension: d, metric: .innerProduct)
        var reference = ReferenceIndex(dimension: d, metric: .innerProduct)
        let vectors = steps.map { s in base.map { $0 * (1 + 1e-4 * Float(s)) } }
        let ids = (0..<n).map { UInt64($0 * 3 + 1) }
        try index.upsert(ids: ids, vectors: vectors)
        for (id, v) in zip(ids, vectors) { reference.upsert(id: id, vector: v) }
        // Queries along b (the largest rows win) and against it (the smallest win).
        let queries = (0..<20).map { i in base.map { $0 * (i % 2 == 0 ? 1 : -1) * Float(1 + i) } }
        for k in [1, 10, 1000] {
            for tuning in [Self.screened, Self.screenedThreads, Self.screenedGather] {
                let got = try index.snapshot.search(queries: Matrix(rowVectors: queries), k: k, filter: nil, tuning: tuning)
                for (i, q) in queries.enumerated() {
                    let expected = reference.search(q, k: k)
                    #expect(got[i].map(\.id) == expected.map(\.id), "query \(i) k=\(k) \(tuning.path.map { "\($0)" } ?? "") threads \(tuning.threads)")
                }
            }
        }
    }

    @Test("the screen runs where the tiles exist, and only for batches it is set for")
    func chosen() {
        #expect(ScreenKernel.chosen(queryCount: 2, keep: 10, tuning: Self.screened))
        #expect(!ScreenKernel.chosen(queryCount: 1_000, keep: 10, tuning: SearchTuning(screen: false)))
        #expect(!ScreenKernel.chosen(queryCount: 16, keep: 10, tuning: SearchTuning(screenBatchesFrom: 17)))
        #expect(ScreenKernel.chosen(queryCount: 24, keep: 10, tuning: .default))
        // Candidate lists for 4,096 queries × k = 10,000 would pass 256 MB: the sgemm path instead.
        #expect(!ScreenKernel.chosen(queryCount: 4_096, keep: 10_000, tuning: Self.screened))
    }
}
