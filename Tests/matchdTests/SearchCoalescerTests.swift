import Matcher
import TestSupport
import Testing
@testable import matchd

/// Concurrent searches through a `SearchCoalescer` get what each would get alone (the oracle: the
/// snapshot searched directly, one query at a time), whatever batch they were answered in; and
/// under a busy lane they are answered in fewer passes than queries.
@Suite struct SearchCoalescerTests {
    static let dimension = 24

    static func catalog(rows: Int, seed: UInt64) throws -> (IndexSnapshot, [[Float]]) {
        var rng = SplitMix64(seed: seed)
        let index = try FlatIndex(dimension: dimension, metric: .cosine)
        let vectors = (0..<rows).map { _ in (0..<dimension).map { _ in Float.random(in: -1...1, using: &rng) } }
        _ = try index.upsert(ids: (0..<rows).map { UInt64($0 * 3 + 1) }, vectors: vectors)
        let queries = (0..<48).map { _ in (0..<dimension).map { _ in Float.random(in: -1...1, using: &rng) } }
        return (index.snapshot, queries)
    }

    /// Same ids in the same order, scores within float rounding of the query alone.
    static func expectSame(_ got: [SearchHit], _ want: [SearchHit], _ note: String) {
        #expect(got.map(\.id) == want.map(\.id), "\(note)")
        for (g, w) in zip(got, want) { #expect(abs(g.score - w.score) <= 1e-5, "\(note)") }
    }

    @Test(arguments: [1, 2])
    func concurrentSearchesGetTheirOwnExactResults(lanes: Int) async throws {
        let (snapshot, queries) = try Self.catalog(rows: 3_000, seed: 11)
        let even = snapshot.filter { $0 % 2 == 0 }
        let coalescer = SearchCoalescer(index: .talents, lanes: lanes, maxBatch: 8)
        // Three groups that must not be mixed: no filter at k = 20, the filter at k = 20, no filter at k = 5.
        let plan: [(filter: RowFilter?, key: String?, k: Int)] = [(nil, nil, 20), (even, "even", 20), (nil, nil, 5)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (q, query) in queries.enumerated() {
                let (filter, key, k) = plan[q % plan.count]
                group.addTask {
                    let got = try await coalescer.search([query], k: k, filter: filter, filterKey: key, in: snapshot)
                    let want = try snapshot.search(query, k: k, filter: filter)
                    Self.expectSame(got[0], want, "query \(q)")
                }
            }
            try await group.waitForAll()
        }
        let totals = coalescer.totals
        #expect(totals.queries == queries.count)
        #expect(totals.passes <= queries.count)
    }

    /// One lane that gathers for a while: the searches that arrive meanwhile share its pass.
    @Test func aBusyLaneBatchesWhatWaits() async throws {
        let (snapshot, queries) = try Self.catalog(rows: 2_000, seed: 12)
        let coalescer = SearchCoalescer(index: .jobs, lanes: 1, maxBatch: 64, gatherWindow: .milliseconds(200))
        let results = try await withThrowingTaskGroup(of: (Int, [SearchHit]).self) { group in
            for (q, query) in queries.prefix(16).enumerated() {
                group.addTask { (q, try await coalescer.search([query], k: 10, filter: nil, filterKey: nil, in: snapshot)[0]) }
            }
            var all: [(Int, [SearchHit])] = []
            for try await r in group { all.append(r) }
            return all
        }
        for (q, got) in results { Self.expectSame(got, try snapshot.search(queries[q], k: 10), "query \(q)") }
        let totals = coalescer.totals
        #expect(totals.queries == 16)
        #expect(totals.passes < 16, "16 searches in \(totals.passes) passes")
    }

    /// A multi-query call (a shortlist's group) comes back in its order, each row its own query's.
    @Test func aBatchCallKeepsItsOrder() async throws {
        let (snapshot, queries) = try Self.catalog(rows: 1_000, seed: 13)
        let coalescer = SearchCoalescer(index: .talents)
        let got = try await coalescer.search(Array(queries.prefix(5)), k: 7, filter: nil, filterKey: nil, in: snapshot)
        #expect(got.count == 5)
        for q in 0..<5 { Self.expectSame(got[q], try snapshot.search(queries[q], k: 7), "query \(q)") }
    }
}
