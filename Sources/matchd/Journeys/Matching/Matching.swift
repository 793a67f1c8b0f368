import Embeddings
import Foundation
import Matcher

/// What a catalog keeps beside a vector: at least the record's id (the ranking's tie-break).
protocol CatalogEntry: Sendable {
    var id: String { get }
}

extension JobEntry: CatalogEntry {}
extension TalentEntry: CatalogEntry {}

/// The rows a query may retrieve: a predicate over entries and the name its filter is cached
/// under (one name, one predicate).
struct MatchScope<Entry> {
    var key: String
    var allows: (Entry) -> Bool
}

/// One query of a matching journey: what to search by, where, and how to re-rank what comes back.
struct MatchQuery<Entry> {
    /// The search vector; all zeros (nothing to search by) retrieves nothing.
    var vector: [Float]
    /// `nil`: every row.
    var scope: MatchScope<Entry>?
    /// The fit of an entry: the ranking score.
    var score: (Entry) -> Double
}

extension Catalog {
    /// The one matching pipeline, for a single query (a batch of one), a shortlist's postings
    /// and anonymous profiles alike: retrieve the `depth` nearest rows of each query by cosine
    /// (exact, through Matcher; queries that share a scope in one batched search, and concurrent
    /// callers' searches coalesced by `searches`), re-rank them by `score`, and record the time
    /// under `metrics`. Explanations are left to the page (`RankedList.page`).
    func match(_ queries: [MatchQuery<Entry>], depth: Int, metrics: SearchMetrics.Index) async throws(ServiceError)
        -> [RankedList<Entry>] {
        let (snapshot, entries) = view()
        let started = ContinuousClock.now
        var hits = [[SearchHit]](repeating: [], count: queries.count)
        let searchable = queries.indices.filter { queries[$0].vector.contains { $0 != 0 } }
        if snapshot.count > 0, !searchable.isEmpty {
            var groups: [(key: String?, members: [Int])] = []
            for q in searchable {
                let key = queries[q].scope?.key
                if let g = groups.firstIndex(where: { $0.key == key }) { groups[g].members.append(q) } else { groups.append((key, [q])) }
            }
            for (key, members) in groups {
                let filter = queries[members[0]].scope.map { scope in
                    self.filter(key: scope.key, snapshot: snapshot, entries: entries, allows: scope.allows)
                }
                let found: [[SearchHit]]
                do {
                    found = try await searches.search(members.map { queries[$0].vector }, k: min(depth, FlatIndex.maxK),
                                                      filter: filter, filterKey: key, in: snapshot)
                } catch { throw .matcher(error) }
                for (m, q) in members.enumerated() { hits[q] = found[m] }
            }
        }
        let lists = queries.indices.map { RankedList(hits: hits[$0], entries: entries, score: queries[$0].score) }
        SearchMetrics.record(index: metrics, seconds: (ContinuousClock.now - started).seconds, batch: queries.count > 1)
        return lists
    }

    /// `match` for one query.
    func match(_ query: MatchQuery<Entry>, depth: Int, metrics: SearchMetrics.Index) async throws(ServiceError)
        -> RankedList<Entry> {
        try await match([query], depth: depth, metrics: metrics)[0]
    }
}
