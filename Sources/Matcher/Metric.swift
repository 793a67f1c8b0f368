/// How a query is compared with stored rows. Larger scores are better under both.
public enum Metric: String, Sendable, Codable, CaseIterable {
    /// Raw inner product `⟨q, x⟩`.
    case innerProduct = "ip"
    /// Cosine similarity: rows are normalised once on insert, queries on search, then `⟨q, x⟩`.
    case cosine = "cosine"
}

/// A row's position inside one snapshot. Rows move on compaction; caller ids do not.
public struct RowID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (a: RowID, b: RowID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "row \(rawValue)" }
}

/// One search result: the caller's id and its score (higher is better).
public struct SearchHit: Hashable, Sendable, Codable, CustomStringConvertible {
    public var id: UInt64
    public var score: Float
    public init(id: UInt64, score: Float) {
        self.id = id
        self.score = score
    }
    public var description: String { "\(id):\(score)" }
}

/// A position in a ranking (score descending, then id ascending): searching `after` a cursor
/// returns only results ranked strictly below it, so pages never repeat or skip a result.
public struct SearchCursor: Hashable, Sendable, Codable {
    public var score: Float
    public var id: UInt64
    public init(score: Float, id: UInt64) {
        self.score = score
        self.id = id
    }
    /// The cursor that continues after `hit`.
    public init(after hit: SearchHit) { self.init(score: hit.score, id: hit.id) }
}

/// The total order of results: higher score first, then lower id.
@inline(__always)
func ranksBefore(_ s1: Float, _ id1: UInt64, _ s2: Float, _ id2: UInt64) -> Bool {
    s1 > s2 || (s1 == s2 && id1 < id2)
}
