@testable @_spi(Tuning) import Matcher
import TestSupport
import Testing

/// The OpenBLAS entry points of the search paths (`BLASKernel`) against a naive double-precision
/// loop, and batch search over more than one storage chunk against the naive index + full sort.
@Suite struct BLASKernelTests {
    static let dimensions = [1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 64, 127, 128, 129, 255, 256, 257,
                             511, 512, 513, 1000, 1023, 1024]

    /// Whatever the summation order or blocking, a float sum of d products is within
    /// γ_d Σ|aᵢbᵢ| of the exact sum (γ_d ≈ d·2⁻²⁴); d·ε·Σ|aᵢbᵢ| (ε = 2⁻²³) is twice that.
    static func naiveDot(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> (exact: Double, tolerance: Double) {
        var sum = 0.0, magnitude = 0.0
        for (x, y) in zip(a, b) {
            sum += Double(x) * Double(y)
            magnitude += abs(Double(x) * Double(y))
        }
        return (sum, Double(a.count) * Double(Float.ulpOfOne) * magnitude)
    }

    @Test("scoreTile, scoreTileRowsMajor and scoreRows against naive sums", arguments: dimensions)
    func kernelsMatchNaiveSums(d: Int) {
        var rng = SplitMix64(seed: 0xB1A5 &+ UInt64(d))
        for (queryCount, rowCount) in [(1, 1), (1, 67), (3, 5), (16, 20), (17, 37)] {
            // Magnitudes from 1e-2 to 1e2 per vector, so the tolerance's scaling is exercised.
            func vectors(_ count: Int) -> [Float] {
                (0..<count).flatMap { _ in
                    let scale = Float([1e-2, 1, 1e2][Int.random(in: 0..<3, using: &rng)])
                    return rng.gaussianVector(d).map { $0 * scale }
                }
            }
            let queries = vectors(queryCount)
            // One float of offset: rows need not start on any alignment.
            let storage = [Float(0)] + vectors(rowCount)
            var byQueries = [Float](repeating: .nan, count: queryCount * rowCount)
            var byRows = [Float](repeating: .nan, count: queryCount * rowCount)
            var single = [Float](repeating: .nan, count: rowCount)
            queries.withUnsafeBufferPointer { q in
                storage.withUnsafeBufferPointer { s in
                    let rows = s.baseAddress! + 1
                    byQueries.withUnsafeMutableBufferPointer {
                        BLASKernel.scoreTile(queries: q.baseAddress!, queryCount: queryCount, rows: rows, rowCount: rowCount,
                                             dimension: d, into: $0.baseAddress!)
                    }
                    byRows.withUnsafeMutableBufferPointer {
                        BLASKernel.scoreTileRowsMajor(queries: q.baseAddress!, queryCount: queryCount, rows: rows,
                                                      rowCount: rowCount, dimension: d, into: $0.baseAddress!)
                    }
                    single.withUnsafeMutableBufferPointer {
                        BLASKernel.scoreRows(query: q.baseAddress!, rows: rows, rowCount: rowCount, dimension: d,
                                             into: $0.baseAddress!)
                    }
                }
            }
            for qi in 0..<queryCount {
                for r in 0..<rowCount {
                    let (exact, tol) = Self.naiveDot(queries[(qi * d)..<((qi + 1) * d)],
                                                      storage[(1 + r * d)..<(1 + (r + 1) * d)])
                    // Checked by hand, recorded only on failure: thousands of values per dimension.
                    let context = "d=\(d) Q=\(queryCount) rows=\(rowCount) query \(qi) row \(r)"
                    let tile = byQueries[qi * rowCount + r], rowsMajor = byRows[r * queryCount + qi]
                    if !(abs(Double(tile) - exact) <= tol) {
                        Issue.record("scoreTile \(context): \(tile) vs \(exact) ± \(tol)")
                    }
                    if !(abs(Double(rowsMajor) - exact) <= tol) {
                        Issue.record("scoreTileRowsMajor \(context): \(rowsMajor) vs \(exact) ± \(tol)")
                    }
                    if qi == 0 && !(abs(Double(single[r]) - exact) <= tol) {
                        Issue.record("scoreRows \(context): \(single[r]) vs \(exact) ± \(tol)")
                    }
                }
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let d: Int
        let integers: Bool
        var testDescription: String { "d=\(d) \(integers ? "integers" : "gaussian")" }
    }

    /// 4,500 rows: one full chunk of 4,096 and part of a second, so tiles end at the chunk
    /// boundary and in the last, partial tile.
    @Test("batches without the screen agree with the naive index across a chunk boundary", arguments: [
        Case(d: 257, integers: true), Case(d: 1024, integers: true), Case(d: 257, integers: false), Case(d: 1024, integers: false),
    ])
    func batchesAcrossChunks(c: Case) throws {
        let n = 4500, d = c.d
        var rng = SplitMix64(seed: 0xC4C4 &+ UInt64(d) &+ (c.integers ? 1 : 0))
        func vector() -> [Float] {
            c.integers ? (0..<d).map { _ in Float(Int.random(in: -3...3, using: &rng)) } : rng.gaussianVector(d)
        }
        var vectors = (0..<n).map { _ in vector() }
        // Exact duplicates either side of the chunk boundary: ties broken by id.
        vectors[4095] = vectors[10]
        vectors[4097] = vectors[10]
        let ids = (0..<n).map { UInt64(($0 * 7919) % 100_003) }
        let index = try FlatIndex(dimension: d, metric: .innerProduct)
        try index.upsert(ids: ids, vectors: vectors)
        let reference = ReferenceIndex(dimension: d, metric: .innerProduct, ids: ids, values: vectors.flatMap { $0 })
        var queries = (0..<40).map { _ in vector() }
        queries[3] = vectors[10]
        let snapshot = index.snapshot
        let sparse = Set(ids.filter { _ in Int.random(in: 0..<20, using: &rng) == 0 })
        let kernels: [(String, SearchTuning)] = [
            ("sgemm, queries × rows", SearchTuning(rowsByQueriesUpTo: 0, screen: false)),
            ("sgemm, rows × queries", SearchTuning(smallBatchKernel: .sgemm, rowsByQueriesUpTo: .max, screen: false)),
            ("small-batch kernel", SearchTuning(rowsByQueriesUpTo: .max, screen: false)),
            ("sgemm, 2 threads, one range each", SearchTuning(threads: 2, rowsPerClaim: 0, rowsByQueriesUpTo: 0, screen: false)),
        ]
        let scores = queries.map { reference.scores($0) }
        let truths = scores.map { Dictionary(uniqueKeysWithValues: zip(ids, $0)) }
        let maxNorm = vectors.map { Double(VectorMath.norm($0)) }.max()!
        for (filterName, allowed) in [("none", Set<UInt64>?.none), ("5 %", sparse)] {
            let filter = allowed.map { snapshot.filter(ids: $0) }
            let allow: ((UInt64) -> Bool)? = allowed.map { s in { s.contains($0) } }
            for k in [1, 10, 100] {
                let expected = scores.map { reference.search(scores: $0, k: k, allowed: allow) }
                for (name, tuning) in kernels {
                    for queryCount in [5, 40] {
                        let got = try snapshot.search(queries: Matrix(rowVectors: Array(queries.prefix(queryCount))), k: k,
                                                      filter: filter, tuning: tuning)
                        for i in 0..<queryCount {
                            let context = "\(c.testDescription) Q=\(queryCount) query \(i) k=\(k) filter=\(filterName) \(name)"
                            if c.integers {
                                #expect(got[i] == expected[i], "\(context)")
                            } else {
                                let scale = Double(VectorMath.norm(queries[i])) * maxNorm
                                expectAgreement(got[i], expected[i], referenceScores: truths[i],
                                                tolerance: tolerance(dimension: d, scale: scale), exact: false,
                                                allowed: allow, context)
                            }
                        }
                    }
                }
            }
        }
    }
}
