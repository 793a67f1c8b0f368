import Embeddings
import Foundation
import Matcher

/// One result of a matching journey: the record's catalog entry, its fit score (the ranking
/// score) and the vector similarity that retrieved it.
struct Ranked<Entry: Sendable>: Sendable {
    var entry: Entry
    var id: String
    var score: Double
    var similarity: Float
}

/// A result a page returns: the ranked result (its fields read through) and its full explanation.
@dynamicMemberLookup
struct Explained<Entry: Sendable>: Sendable {
    var ranked: Ranked<Entry>
    var fit: FitResult

    init(_ ranked: Ranked<Entry>, fit: FitResult) {
        self.ranked = ranked
        self.fit = fit
    }

    subscript<T>(dynamicMember field: KeyPath<Ranked<Entry>, T>) -> T { ranked[keyPath: field] }
}

/// A position in a ranking: results after it have a lower score, or the same score and a
/// greater id. Encoded opaquely (`v1.<score bits>.<id>`, base64url) so clients cannot forge
/// half of one.
struct PageCursor: Equatable, Sendable {
    var score: Double
    var id: String

    var encoded: String {
        let raw = "v1.\(String(score.bitPattern, radix: 16)).\(id)"
        return Data(raw.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(score: Double, id: String) {
        self.score = score
        self.id = id
    }

    init(encoded: String) throws(ServiceError) {
        var b64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64), let raw = String(data: data, encoding: .utf8) else { throw .invalidCursor }
        let parts = raw.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let bits = UInt64(parts[1], radix: 16), !parts[2].isEmpty else {
            throw .invalidCursor
        }
        score = Double(bitPattern: bits)
        id = String(parts[2])
        guard score.isFinite else { throw .invalidCursor }
    }

    /// Whether `(score, id)` comes after this cursor in the ranking.
    func precedes(score s: Double, id i: String) -> Bool { s < score || (s == score && i > id) }
}

/// A query's retrieved rows in ranking order: fit score descending, then id ascending. The
/// entries stay in the catalog view they were retrieved from: ranking sorts small keys, and only
/// a page's results are copied out and explained.
struct RankedList<Entry: CatalogEntry>: Sendable {
    private struct Key: Sendable {
        var score: Double
        var id: String
        var key: UInt64
        var similarity: Float
    }

    private let entries: [UInt64: Entry]
    private let order: [Key]

    /// `hits` re-ranked by `score`; hits without an entry (removed meanwhile) are dropped.
    init(hits: [SearchHit], entries: [UInt64: Entry], score: (Entry) -> Double) {
        var keys: [Key] = []
        keys.reserveCapacity(hits.count)
        for hit in hits {
            guard let (s, id) = entries[hit.id].map({ (score($0), $0.id) }) else { continue }
            keys.append(Key(score: s, id: id, key: hit.id, similarity: hit.score))
        }
        keys.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        self.entries = entries
        self.order = keys
    }

    var count: Int { order.count }

    private func ranked(_ k: Key) -> Ranked<Entry> {
        Ranked(entry: entries[k.key]!, id: k.id, score: k.score, similarity: k.similarity)
    }

    /// The first `k` results.
    func top(_ k: Int) -> [Ranked<Entry>] { order.prefix(k).map(ranked) }

    /// The `k` results after `cursor`, explained, and the cursor of the next page when more remain.
    func page(k: Int, after cursor: PageCursor?, explain: (Entry) -> FitResult) -> ([Explained<Entry>], PageCursor?) {
        let start = cursor.map { c in order.firstIndex { c.precedes(score: $0.score, id: $0.id) } ?? order.count } ?? 0
        let rest = order[start...]
        let page = rest.prefix(k).map { key in Explained(ranked(key), fit: explain(entries[key.key]!)) }
        let next = rest.count > k ? page.last.map { PageCursor(score: $0.score, id: $0.id) } : nil
        return (page, next)
    }
}

/// Validates a page size.
func validateK(_ k: Int?, default value: Int = 10, max: Int = 100) throws(ServiceError) -> Int {
    let k = k ?? value
    guard (1...max).contains(k) else { throw .invalid(field: "k", message: "k is \(k); it must be 1…\(max)") }
    return k
}
