@testable @_spi(Tuning) import Matcher
import TestSupport
import Testing

/// Fast search against the naive loop + full sort, over the sizes where tiles, blocks and
/// chunks begin and end.
struct SearchOracleTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        let n: Int
        let d: Int
        var testDescription: String { "n=\(n) d=\(d)" }
    }

    static let shapes: [Shape] = [
        Shape(n: 0, d: 3), Shape(n: 1, d: 1), Shape(n: 9, d: 3), Shape(n: 11, d: 64),
        Shape(n: 255, d: 257), Shape(n: 1023, d: 3), Shape(n: 1025, d: 64),
        Shape(n: 4095, d: 1), Shape(n: 4097, d: 64), Shape(n: 9001, d: 17),
    ]

    /// Filters by name: none, all, empty, about 1 %, about 50 %.
    static func filters(_ twin: Twin, seed: UInt64) -> [(String, Set<UInt64>?)] {
        var rng = SplitMix64(seed: seed)
        let ids = twin.ids
        return [
            ("none", nil),
            ("all", Set(ids)),
            ("empty", []),
            ("1%", Set(ids.filter { _ in Int.random(in: 0..<100, using: &rng) == 0 })),
            ("50%", Set(ids.filter { _ in Bool.random(using: &rng) })),
        ]
    }

    @Test("integer data: every path returns exactly the reference ranking", arguments: shapes)
    func exactOnIntegers(shape: Shape) throws {
        let seed: UInt64 = 0xC0FFEE ^ UInt64(shape.n * 1000 + shape.d)
        let twin = try Twin.make(n: shape.n, d: shape.d, metric: .innerProduct, integers: true, seed: seed)
        var rng = SplitMix64(seed: seed &+ 1)
        let query = (0..<shape.d).map { _ in Float(Int.random(in: -3...3, using: &rng)) }
        let snapshot = twin.index.snapshot
        for (filterName, allowed) in Self.filters(twin, seed: seed) {
            let filter = allowed.map { snapshot.filter(ids: $0) }
            for k in [1, 10, 100, shape.n + 1] {
                let expected = twin.reference.search(query, k: k, allowed: allowed.map { s in { s.contains($0) } })
                for (name, tuning) in searchConfigurations {
                    let got = try snapshot.search(query, k: k, filter: filter, after: nil, tuning: tuning)
                    #expect(got == expected, "seed \(seed) \(shape.testDescription) k=\(k) filter=\(filterName) \(name)")
                }
            }
        }
    }

    @Test("gaussian data: scores within tolerance, ids wherever scores are separated",
          arguments: shapes, [Metric.innerProduct, .cosine])
    func gaussian(shape: Shape, metric: Metric) throws {
        let seed: UInt64 = 0xBEEF ^ UInt64(shape.n * 1000 + shape.d)
        let twin = try Twin.make(n: shape.n, d: shape.d, metric: metric, integers: false, seed: seed)
        var rng = SplitMix64(seed: seed &+ 2)
        let query = rng.gaussianVector(shape.d)
        let snapshot = twin.index.snapshot
        let all = twin.reference.scores(query)
        let truth = Dictionary(uniqueKeysWithValues: zip(twin.reference.ids, all))
        let scale = metric == .cosine ? 1.0 : Double(VectorMath.norm(query)) * Double(
            (0..<twin.reference.count).map { VectorMath.norm(Array(twin.reference.values[($0 * shape.d)..<(($0 + 1) * shape.d)])) }.max() ?? 1)
        let tol = tolerance(dimension: shape.d, scale: scale)
        for (filterName, allowed) in Self.filters(twin, seed: seed) {
            let filter = allowed.map { snapshot.filter(ids: $0) }
            let allow: ((UInt64) -> Bool)? = allowed.map { s in { s.contains($0) } }
            for k in [1, 10, 100] {
                let expected = twin.reference.search(query, k: k, allowed: allow)
                for (name, tuning) in searchConfigurations {
                    let got = try snapshot.search(query, k: k, filter: filter, after: nil, tuning: tuning)
                    expectAgreement(got, expected, referenceScores: truth, tolerance: tol, exact: false, allowed: allow,
                                    "seed \(seed) \(shape.testDescription) \(metric) k=\(k) filter=\(filterName) \(name)")
                }
            }
        }
    }

    /// d = 31 takes the kernels' tails, d = 64 their blocked loops.
    @Test("batches agree with the reference, query by query", arguments: [1, 2, 5, 17], [31, 64])
    func batch(queries q: Int, dimension d: Int) throws {
        let seed: UInt64 = 0xBA7C4 &+ UInt64(q) &+ UInt64(d) << 8
        let twin = try Twin.make(n: 2600, d: d, metric: .innerProduct, integers: true, seed: seed)
        var rng = SplitMix64(seed: seed)
        let rows = (0..<q).map { _ in (0..<d).map { _ in Float(Int.random(in: -3...3, using: &rng)) } }
        let queries = try Matrix(rowVectors: rows)
        let snapshot = twin.index.snapshot
        let half = Set(twin.ids.filter { _ in Bool.random(using: &rng) })
        for (filterName, allowed) in [("none", Set<UInt64>?.none), ("50%", half), ("sparse", Set(twin.ids.prefix(20)))] {
            let filter = allowed.map { snapshot.filter(ids: $0) }
            for k in [1, 7, 100] {
                for (name, tuning) in searchConfigurations {
                    let got = try snapshot.search(queries: queries, k: k, filter: filter, tuning: tuning)
                    #expect(got.count == q)
                    for i in 0..<q {
                        let expected = twin.reference.search(rows[i], k: k, allowed: allowed.map { s in { s.contains($0) } })
                        #expect(got[i] == expected, "seed \(seed) Q=\(q) query \(i) k=\(k) filter=\(filterName) \(name)")
                    }
                }
            }
        }
    }

    @Test("k = 10,000 against a full sort")
    func largeK() throws {
        let twin = try Twin.make(n: 12_000, d: 8, metric: .innerProduct, integers: true, seed: 77)
        let query: [Float] = [1, -2, 3, 0, 1, 1, -1, 2]
        let expected = twin.reference.search(query, k: FlatIndex.maxK)
        for (name, tuning) in searchConfigurations {
            let got = try twin.index.snapshot.search(query, k: FlatIndex.maxK, filter: nil, after: nil, tuning: tuning)
            #expect(got == expected, "\(name)")
        }
    }

    @Test("filtered search equals search over an index of only the allowed rows")
    func filterEqualsSubset() throws {
        var rng = SplitMix64(seed: 4242)
        let d = 24
        let twin = try Twin.make(n: 3000, d: d, metric: .cosine, integers: false, seed: 4242)
        let allowed = Set(twin.ids.filter { _ in Int.random(in: 0..<10, using: &rng) < 3 })
        let subset = try FlatIndex(dimension: d, metric: .cosine)
        let snapshot = twin.index.snapshot
        snapshot.forEachLive { row, id in
            if allowed.contains(id) { _ = try? subset.upsert(id: id, vector: snapshot.vector(at: row)) }
        }
        for _ in 0..<5 {
            let q = rng.gaussianVector(d)
            for (name, tuning) in searchConfigurations {
                let filtered = try snapshot.search(q, k: 25, filter: snapshot.filter(ids: allowed), after: nil, tuning: tuning)
                let onSubset = try subset.snapshot.search(q, k: 25, filter: nil, after: nil, tuning: tuning)
                #expect(filtered.map(\.id) == onSubset.map(\.id), "\(name)")
                for (a, b) in zip(filtered, onSubset) { #expect(abs(a.score - b.score) <= 1e-5, "\(name)") }
            }
        }
    }

    @Test("cursor pages concatenate to the full ranking, with no repeats")
    func cursorPagination() throws {
        let twin = try Twin.make(n: 5000, d: 16, metric: .innerProduct, integers: true, seed: 99)
        let query: [Float] = (0..<16).map { Float($0 % 3) - 1 }
        let snapshot = twin.index.snapshot
        let filter = snapshot.filter { $0 % 3 != 0 }
        for (name, tuning) in searchConfigurations {
            let full = try snapshot.search(query, k: 700, filter: filter, after: nil, tuning: tuning)
            var pages = [SearchHit]()
            var cursor: SearchCursor?
            while pages.count < 700 {
                let page = try snapshot.search(query, k: 45, filter: filter, after: cursor, tuning: tuning)
                #expect(!page.isEmpty)
                pages += page
                cursor = page.last.map(SearchCursor.init(after:))
            }
            #expect(Array(pages.prefix(700)) == full, "\(name)")
            #expect(Set(pages.map(\.id)).count == pages.count, "\(name): repeats")
        }
        // Past the end: empty, not an error.
        let everything = try snapshot.search(query, k: FlatIndex.maxK)
        #expect(try snapshot.search(query, k: 10, after: SearchCursor(after: everything.last!)).isEmpty)
    }
}
