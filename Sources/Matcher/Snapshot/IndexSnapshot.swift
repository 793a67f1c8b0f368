/// An immutable view of a `FlatIndex` at one moment: what every search reads.
///
/// Holding a snapshot keeps its rows alive and unchanged whatever writers do meanwhile;
/// `FlatIndex.snapshot` hands out the current one. Rows are numbered `0..<rowCount` in
/// insertion order; deleted or replaced rows stay as tombstones (not `live`) until compaction.
public final class IndexSnapshot: @unchecked Sendable {
    // @unchecked Sendable: immutable after init; chunks are only appended to beyond `rowCount`.
    public let dimension: Int
    public let metric: Metric
    /// Rows stored, tombstones included. Filters are built over this many rows.
    public let rowCount: Int
    /// Live rows (searchable ids).
    public let count: Int
    /// Increases with every publication of the index this snapshot came from.
    public let generation: UInt64
    /// Row numbers mean the same rows in every snapshot of one index with the same `layout`:
    /// rows are only ever appended (a replaced vector is a new row) until compaction renumbers
    /// them and changes it.
    public let layout: UInt64
    let chunks: [RowChunk]
    /// Live rows, or `nil` when every row is live.
    let live: RowFilter?

    init(dimension: Int, metric: Metric, rowCount: Int, chunks: [RowChunk], live: RowFilter?, generation: UInt64,
         layout: UInt64) {
        self.dimension = dimension
        self.metric = metric
        self.rowCount = rowCount
        self.chunks = chunks
        self.live = live
        self.count = live?.count ?? rowCount
        self.generation = generation
        self.layout = layout
    }

    /// The caller id stored at `row`.
    public func id(at row: RowID) -> UInt64 {
        precondition(row.rawValue >= 0 && row.rawValue < rowCount, "\(row) outside the snapshot's \(rowCount) rows")
        return chunks[row.rawValue / FlatIndex.chunkRows].ids[row.rawValue % FlatIndex.chunkRows]
    }

    /// The stored vector at `row` (normalised under the cosine metric).
    public func vector(at row: RowID) -> [Float] {
        precondition(row.rawValue >= 0 && row.rawValue < rowCount, "\(row) outside the snapshot's \(rowCount) rows")
        let p = chunks[row.rawValue / FlatIndex.chunkRows].row(row.rawValue % FlatIndex.chunkRows)
        return Array(UnsafeBufferPointer(start: p, count: dimension))
    }

    /// Whether `row` holds a live (not deleted or replaced) vector.
    public func isLive(_ row: RowID) -> Bool {
        guard row.rawValue >= 0 && row.rawValue < rowCount else { return false }
        return live?.contains(row) ?? true
    }

    /// Calls `body` with every live row and its id, in row order.
    public func forEachLive(_ body: (RowID, UInt64) throws -> Void) rethrows {
        for r in 0..<rowCount where live?.contains(RowID(r)) ?? true {
            try body(RowID(r), chunks[r / FlatIndex.chunkRows].ids[r % FlatIndex.chunkRows])
        }
    }

    /// The live rows whose id satisfies `predicate`: the caller's own attribute filter.
    /// - Complexity: O(rowCount) calls of `predicate`.
    public func filter(where predicate: (UInt64) throws -> Bool) rethrows -> RowFilter {
        var f = RowFilter(rowCount: rowCount)
        try forEachLive { row, id in if try predicate(id) { f.insert(row) } }
        return f
    }

    /// `base`, built over an earlier snapshot of this index with the same `layout`, brought up
    /// to this one: rows it allowed that are still live stay allowed, rows appended since are
    /// tested with `predicate`. Since rows never change once written, this equals
    /// `filter(where:)` whenever `predicate` answers as it did for the rows `base` covered;
    /// a caller whose attributes change only with their vectors (a new row) can keep one filter
    /// per predicate and extend it on every publication instead of rebuilding it.
    /// - Complexity: O(rowCount / 64) word operations plus one `predicate` call per new row.
    public func filter(extending base: RowFilter, where predicate: (UInt64) throws -> Bool) rethrows -> RowFilter {
        precondition(base.rowCount <= rowCount, "the base filter covers \(base.rowCount) rows, the snapshot \(rowCount)")
        var words = base.words
        words.append(contentsOf: repeatElement(0, count: (rowCount + 63) / 64 - words.count))
        if let live {
            live.withUnsafeWords { l in for w in 0..<words.count { words[w] &= l[w] } }
        }
        var f = RowFilter(rowCount: rowCount, words: words, count: words.reduce(0) { $0 + $1.nonzeroBitCount })
        for r in base.rowCount..<rowCount where isLive(RowID(r)) {
            if try predicate(chunks[r / FlatIndex.chunkRows].ids[r % FlatIndex.chunkRows]) { f.insert(RowID(r)) }
        }
        return f
    }

    /// The live rows holding any of `ids`; unknown ids are ignored.
    public func filter(ids: Set<UInt64>) -> RowFilter {
        filter { ids.contains($0) }
    }

    /// The live row holding `id`, if any. - Complexity: O(rowCount).
    public func row(of id: UInt64) -> RowID? {
        var found: RowID?
        forEachLive { row, rowID in if rowID == id { found = row } }
        return found
    }
}
