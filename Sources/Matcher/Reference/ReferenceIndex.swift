/// The naive twin of `FlatIndex`, for tests and benchmarks: a plain loop per row in `Double`,
/// then a full sort. Oracle and benchmark peer are the same code.
///
/// It shares no code with the fast paths (normalisation, scoring, ordering and filtering are
/// written again here, simply), so agreement between the two means something.
public struct ReferenceIndex: Sendable {
    public let dimension: Int
    public let metric: Metric
    public private(set) var ids: [UInt64] = []
    /// Row-major values, normalised in `Double` under cosine.
    public private(set) var values: [Float] = []

    public init(dimension: Int, metric: Metric) {
        self.dimension = dimension
        self.metric = metric
    }

    public var count: Int { ids.count }

    /// An index over `values` (row-major, `ids.count × dimension`); ids must be distinct.
    public init(dimension: Int, metric: Metric, ids: [UInt64], values: [Float]) {
        precondition(values.count == ids.count * dimension)
        self.init(dimension: dimension, metric: metric)
        self.ids = ids
        self.values = metric == .cosine
            ? (0..<ids.count).flatMap { Self.stored(Array(values[($0 * dimension)..<(($0 + 1) * dimension)]), metric: metric) }
            : values
    }

    /// Inserts or replaces `id`. Precondition: `vector.count == dimension`.
    public mutating func upsert(id: UInt64, vector: [Float]) {
        precondition(vector.count == dimension)
        delete(id: id)
        ids.append(id)
        values.append(contentsOf: Self.stored(vector, metric: metric))
    }

    public mutating func delete(id: UInt64) {
        guard let i = ids.firstIndex(of: id) else { return }
        ids.remove(at: i)
        values.removeSubrange((i * dimension)..<((i + 1) * dimension))
    }

    /// Every row's score for `query`, in row order, computed in `Double`.
    public func scores(_ query: [Float]) -> [Double] {
        let q = Self.stored(query, metric: metric)
        var out = [Double](repeating: 0, count: ids.count)
        for r in 0..<ids.count {
            var s = 0.0
            for j in 0..<dimension { s += Double(q[j]) * Double(values[r * dimension + j]) }
            out[r] = s
        }
        return out
    }

    /// The `k` best rows by full sort (score descending, id ascending), after `cursor`, among
    /// ids that `allowed` accepts.
    public func search(_ query: [Float], k: Int, allowed: ((UInt64) -> Bool)? = nil,
                       after cursor: SearchCursor? = nil) -> [SearchHit] {
        search(scores: scores(query), k: k, allowed: allowed, after: cursor)
    }

    /// As `search(_:k:allowed:after:)`, given every row's score (`scores(_:)`), so that tests
    /// ranking one query several ways score it once.
    public func search(scores s: [Double], k: Int, allowed: ((UInt64) -> Bool)? = nil,
                       after cursor: SearchCursor? = nil) -> [SearchHit] {
        precondition(s.count == ids.count)
        var all = [(id: UInt64, score: Double)]()
        for (i, id) in ids.enumerated() where allowed?(id) ?? true {
            let score = Float(s[i])
            if let cursor, !(score < cursor.score || (score == cursor.score && id > cursor.id)) { continue }
            all.append((id, s[i]))
        }
        all.sort { a, b in a.score != b.score ? a.score > b.score : a.id < b.id }
        return all.prefix(k).map { SearchHit(id: $0.id, score: Float($0.score)) }
    }

    static func stored(_ v: [Float], metric: Metric) -> [Float] {
        guard metric == .cosine else { return v }
        var n = 0.0
        for x in v { n += Double(x) * Double(x) }
        n = n.squareRoot()
        return v.map { Float(Double($0) / n) }
    }
}
