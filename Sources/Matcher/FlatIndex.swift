import Synchronization

/// A mutable set of `(id, vector)` rows with exact top-k search: matchd's vector engine.
///
/// Searches read an immutable `IndexSnapshot`; writers (serialised among themselves) build the
/// next snapshot and publish it by swapping one reference, so readers never wait for a write
/// and never see half of one. A small write copies no rows: new rows are appended to the last
/// chunk beyond what published snapshots can see, and deletes or replacements only mark the
/// old row dead in a new liveness bitset (O(rows / 8) bytes). When dead rows pass a quarter of
/// all rows, the write compacts (one O(rows × dimension) copy into new chunks).
///
/// Vectors are validated as a whole batch before anything changes, so a failed write changes
/// nothing.
public final class FlatIndex: Sendable {
    /// Rows per storage chunk. A multiple of every tile size in `SearchTuning`.
    public static let chunkRows = 4096
    /// Largest supported dimension.
    public static let maxDimension = 65_536
    /// Largest `k` of one search.
    public static let maxK = 10_000
    /// Largest `queries × k` of one batch search (bounds its heap memory: 12 bytes each).
    public static let maxBatchResults = 1 << 24

    public let dimension: Int
    public let metric: Metric

    private let current: Mutex<IndexSnapshot>
    private let writer: Mutex<WriterState>

    /// An empty index.
    /// - Throws: `.invalidDimension` outside `1...maxDimension`.
    public init(dimension: Int, metric: Metric) throws(MatcherError) {
        guard dimension >= 1 && dimension <= Self.maxDimension else { throw .invalidDimension(dimension) }
        BLASKernel.useMatcherThreading()
        self.dimension = dimension
        self.metric = metric
        var state = WriterState(dimension: dimension, metric: metric)
        current = Mutex(state.snapshot())
        writer = Mutex(state)
    }

    /// An index holding exactly the live rows of `snapshot` (used by loading).
    init(restoring state: consuming WriterState) {
        BLASKernel.useMatcherThreading()
        dimension = state.dimension
        metric = state.metric
        current = Mutex(state.snapshot())
        writer = Mutex(state)
    }

    /// The current snapshot: search it as long as you like; later writes do not change it.
    public var snapshot: IndexSnapshot { current.withLock { $0 } }

    /// Live rows.
    public var count: Int { snapshot.count }

    /// Inserts or replaces rows by id.
    ///
    /// - Throws: `.duplicateID` (same id twice in `ids`), `.dimensionMismatch`, `.nonFiniteValue`,
    ///   `.zeroVector` (cosine), `.invalidShape` when `ids` and `vectors` differ in length;
    ///   each names the batch entry (`vectors[i]`). Nothing is written when one is thrown.
    /// - Returns: the snapshot that includes the write.
    @discardableResult
    public func upsert(ids: [UInt64], vectors: [[Float]]) throws(MatcherError) -> IndexSnapshot {
        guard ids.count == vectors.count else {
            throw .invalidShape("\(ids.count) ids but \(vectors.count) vectors")
        }
        var seen = [UInt64: Int](minimumCapacity: ids.count)
        for (i, id) in ids.enumerated() {
            if let first = seen.updateValue(i, forKey: id) { throw .duplicateID(id: id, firstIndex: first, secondIndex: i) }
        }
        var rows = [[Float]]()
        rows.reserveCapacity(vectors.count)
        for (i, v) in vectors.enumerated() {
            rows.append(try Self.validated(v, dimension: dimension, metric: metric, field: "vectors[\(i)]"))
        }
        return publish { state in
            for (id, v) in zip(ids, rows) { state.upsert(id: id, vector: v) }
        }
    }

    /// Inserts or replaces one row.
    @discardableResult
    public func upsert(id: UInt64, vector: [Float]) throws(MatcherError) -> IndexSnapshot {
        try upsert(ids: [id], vectors: [vector])
    }

    /// Removes the rows with these ids; unknown ids are ignored.
    /// - Returns: the new snapshot and how many rows were removed.
    @discardableResult
    public func delete(ids: some Sequence<UInt64>) -> (snapshot: IndexSnapshot, removed: Int) {
        var removed = 0
        let snap = publish { state in
            for id in ids where state.delete(id: id) { removed += 1 }
        }
        return (snap, removed)
    }

    /// Drops tombstones now (writes also compact on their own past 25 % dead rows).
    @discardableResult
    public func compact() -> IndexSnapshot {
        publish { state in state.compact() }
    }

    /// Whether `id` is live. - Complexity: O(1).
    public func contains(_ id: UInt64) -> Bool {
        writer.withLock { $0.idToRow[id] != nil }
    }

    /// Applies `change` to the writer state and publishes the result.
    private func publish(_ change: (inout WriterState) -> Void) -> IndexSnapshot {
        writer.withLock { state in
            change(&state)
            if state.shouldCompact { state.compact() }
            let snap = state.snapshot()
            current.withLock { $0 = snap }
            return snap
        }
    }

    /// Checks one vector and returns what is stored (normalised under cosine).
    static func validated(_ v: [Float], dimension: Int, metric: Metric, field: String) throws(MatcherError) -> [Float] {
        guard v.count == dimension else { throw .dimensionMismatch(field: field, expected: dimension, actual: v.count) }
        if let bad = v.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteValue(field: field, position: bad) }
        guard metric == .cosine else { return v }
        guard let unit = VectorMath.normalized(v) else { throw .zeroVector(field: field) }
        return unit
    }
}
