@testable @_spi(Tuning) import Matcher
import TestSupport
import Testing

/// A fast index and its naive twin holding the same rows.
struct Twin {
    let index: FlatIndex
    var reference: ReferenceIndex
    var ids: [UInt64]

    /// `n` rows of dimension `d`. With `integers`, values are small integers, so every score is
    /// exact in `Float` on every path and ties are common: results must then agree exactly.
    static func make(n: Int, d: Int, metric: Metric, integers: Bool, seed: UInt64) throws -> Twin {
        var rng = SplitMix64(seed: seed)
        let index = try FlatIndex(dimension: d, metric: metric)
        var reference = ReferenceIndex(dimension: d, metric: metric)
        var ids = Set<UInt64>()
        while ids.count < n { ids.insert(UInt64.random(in: 0..<UInt64(max(4 * n, 8)), using: &rng)) }
        let order = Array(ids).shuffled(using: &rng)
        var vectors = [[Float]]()
        for i in 0..<n {
            if i > 0, i % 7 == 0 {
                vectors.append(vectors[Int.random(in: 0..<i, using: &rng)]) // an exact duplicate: a tie
            } else if integers {
                vectors.append((0..<d).map { _ in Float(Int.random(in: -3...3, using: &rng)) })
            } else {
                vectors.append(rng.gaussianVector(d))
            }
            if metric == .cosine, vectors[i].allSatisfy({ $0 == 0 }) { vectors[i][0] = 1 }
        }
        try index.upsert(ids: order, vectors: vectors)
        for (id, v) in zip(order, vectors) { reference.upsert(id: id, vector: v) }
        return Twin(index: index, reference: reference, ids: order)
    }
}

/// Checks `fast` against `expected` (the reference's answer) for one query.
///
/// - exact: ids and scores must be identical.
/// - otherwise: same length; rank by rank, scores within `tolerance`; every returned score
///   within `tolerance` of the reference's score for that id; ids unique and allowed; and where
///   the reference's scores are separated by more than twice the tolerance, the same id.
func expectAgreement(_ fast: [SearchHit], _ expected: [SearchHit], referenceScores: [UInt64: Double],
                     tolerance: Double, exact: Bool, allowed: ((UInt64) -> Bool)? = nil,
                     _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
    if exact {
        #expect(fast == expected, "\(context)", sourceLocation: sourceLocation)
        return
    }
    #expect(fast.count == expected.count, "\(context): count", sourceLocation: sourceLocation)
    guard fast.count == expected.count else { return }
    #expect(Set(fast.map(\.id)).count == fast.count, "\(context): duplicate ids", sourceLocation: sourceLocation)
    for i in 0..<fast.count {
        let f = fast[i], e = expected[i]
        #expect(abs(Double(f.score) - Double(e.score)) <= tolerance,
                "\(context): rank \(i) score \(f.score) vs \(e.score)", sourceLocation: sourceLocation)
        if let truth = referenceScores[f.id] {
            #expect(abs(Double(f.score) - truth) <= tolerance, "\(context): id \(f.id) score", sourceLocation: sourceLocation)
        } else {
            Issue.record("\(context): id \(f.id) is not in the index", sourceLocation: sourceLocation)
        }
        if let allowed { #expect(allowed(f.id), "\(context): id \(f.id) not allowed", sourceLocation: sourceLocation) }
        // Separation is judged against every allowed row, not just the page: with k = 1 the
        // runner-up is outside `expected` and may tie with the winner.
        if let eTruth = referenceScores[e.id], isSeparated(eTruth, from: e.id, in: referenceScores,
                                                            allowed: allowed, by: 2 * tolerance) {
            #expect(f.id == e.id, "\(context): rank \(i) id", sourceLocation: sourceLocation)
        }
        if i > 0 {
            #expect(!ranksBeforeHit(f, fast[i - 1]), "\(context): not sorted at \(i)", sourceLocation: sourceLocation)
        }
    }
}

/// True when no other allowed row's reference score lies within `margin` of `score`.
func isSeparated(_ score: Double, from id: UInt64, in referenceScores: [UInt64: Double],
                 allowed: ((UInt64) -> Bool)?, by margin: Double) -> Bool {
    for (other, s) in referenceScores where other != id && abs(s - score) <= margin {
        if allowed?(other) ?? true { return false }
    }
    return true
}

func ranksBeforeHit(_ a: SearchHit, _ b: SearchHit) -> Bool {
    a.score > b.score || (a.score == b.score && a.id < b.id)
}

/// Score tolerance for dimension `d` and the largest |q|·|x|: float rounding grows with both.
func tolerance(dimension d: Int, scale: Double) -> Double {
    Double(d) * 4 * Double(Float.ulpOfOne) * max(scale, 1)
}

/// The configurations every oracle case runs through: each path, kernel and threading.
let searchConfigurations: [(String, SearchTuning)] = [
    ("default", .default),
    ("gather", SearchTuning(path: .gather)),
    ("blockScan", SearchTuning(path: .blockScan)),
    ("portable SIMD", SearchTuning(path: .blockScan, singleQueryKernel: .portable)),
    ("sgemv", SearchTuning(path: .blockScan, singleQueryKernel: .sgemv)),
    ("sgemm", SearchTuning(path: .blockScan, singleQueryKernel: .sgemm)),
    ("1 thread", SearchTuning(threads: 1)),
    ("2 threads, one range each", SearchTuning(threads: 2, rowsPerClaim: 0)),
    ("2 threads, claims of 128 rows", SearchTuning(threads: 2, rowsPerClaim: 128, rowBlock: 64, rowTile: 64)),
    ("queries × rows tiles", SearchTuning(rowsByQueriesUpTo: 0, screen: false)),
    ("rows × queries tiles", SearchTuning(queryTile: 5, rowsByQueriesUpTo: .max, screen: false)),
    ("rows × queries tiles, AVX2 batch kernel",
     SearchTuning(smallBatchKernel: .avx2, queryTile: 7, rowsByQueriesUpTo: .max, screen: false)),
    ("rows × queries tiles, sgemm", SearchTuning(smallBatchKernel: .sgemm, queryTile: 6, rowsByQueriesUpTo: .max, screen: false)),
    ("small tiles, claims of one tile",
     SearchTuning(threads: 3, rowsPerClaim: 1, rowBlock: 64, rowTile: 64, queryTile: 3, screen: false)),
    // Batches of two or more through the bf16 screen where the CPU has AMX (else as "default").
    ("screened batches, 3 threads, claims of 64 rows",
     SearchTuning(threads: 3, rowsPerClaim: 64, rowBlock: 64, rowTile: 64, screenBatchesFrom: 2)),
]
