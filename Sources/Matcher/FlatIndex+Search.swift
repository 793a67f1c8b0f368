/// Exact top-k search over a snapshot.
///
/// Results come in one total order: score descending, then id ascending. Searching `after` a
/// cursor continues that order, so cursor pages never repeat or skip a result (given the same
/// snapshot, filter and search mode: a query alone and the same query inside a batch may round
/// differently in the last bit).
extension IndexSnapshot {
    /// The `k` best live rows for `query`, optionally restricted to `filter` and continuing after `cursor`.
    ///
    /// - Parameters:
    ///   - k: 1 ... `FlatIndex.maxK`; fewer results come back when fewer rows qualify.
    ///   - filter: an allow-list built from this snapshot (`filter(where:)`); `nil` allows all.
    ///   - cursor: return only results ranked strictly after it.
    /// - Throws: `.invalidK`, `.dimensionMismatch`, `.nonFiniteValue`, `.zeroVector` (cosine),
    ///   `.filterMismatch`.
    /// - Complexity: O(rowCount × dimension) reading each row once (block scan), or
    ///   O(filter.count × dimension) for sparse filters (gather).
    public func search(_ query: [Float], k: Int, filter: RowFilter? = nil,
                       after cursor: SearchCursor? = nil) throws(MatcherError) -> [SearchHit] {
        try search(query, k: k, filter: filter, after: cursor, tuning: .default)
    }

    /// Top-k for each row of `queries` in one pass over the rows: screened in bf16 on the CPU's
    /// AMX tiles and the candidates rescored exactly in float (`ScreenKernel`; from
    /// `SearchTuning.screenBatchesFrom` queries), else `sgemm` tiles with the heaps fused.
    /// - Throws: as `search(_:k:filter:after:)`, naming the offending `queries[i]`; `.invalidShape`
    ///   when `queries.rows × k` exceeds `FlatIndex.maxBatchResults`.
    public func search(queries: Matrix, k: Int, filter: RowFilter? = nil) throws(MatcherError) -> [[SearchHit]] {
        try search(queries: queries, k: k, filter: filter, tuning: .default)
    }

    @_spi(Tuning)
    public func search(_ query: [Float], k: Int, filter: RowFilter?, after cursor: SearchCursor?,
                       tuning: SearchTuning) throws(MatcherError) -> [SearchHit] {
        guard k >= 1 && k <= FlatIndex.maxK else { throw .invalidK(k) }
        let prepared = try prepare(query, field: "query")
        let mask = try effectiveMask(filter)
        return prepared.withUnsafeBufferPointer { q in
            SearchRun(snapshot: self, queries: q.baseAddress!, queryCount: 1, k: k, mask: mask,
                      cursors: [cursor], tuning: tuning.validated()).results()[0]
        }
    }

    @_spi(Tuning)
    public func search(queries: Matrix, k: Int, filter: RowFilter?, tuning: SearchTuning) throws(MatcherError) -> [[SearchHit]] {
        guard k >= 1 && k <= FlatIndex.maxK else { throw .invalidK(k) }
        guard queries.columns == dimension || queries.rows == 0 else {
            throw .dimensionMismatch(field: "queries", expected: dimension, actual: queries.columns)
        }
        guard queries.rows * min(k, max(count, 1)) <= FlatIndex.maxBatchResults else {
            throw .invalidShape("a batch of \(queries.rows) queries × k = \(k) exceeds \(FlatIndex.maxBatchResults) results")
        }
        if queries.rows == 0 { return [] }
        var prepared = [Float]()
        prepared.reserveCapacity(queries.rows * dimension)
        for i in 0..<queries.rows {
            prepared.append(contentsOf: try prepare(Array(queries.row(i)), field: "queries[\(i)]"))
        }
        let mask = try effectiveMask(filter)
        return prepared.withUnsafeBufferPointer { q in
            SearchRun(snapshot: self, queries: q.baseAddress!, queryCount: queries.rows, k: k, mask: mask,
                      cursors: nil, tuning: tuning.validated()).results()
        }
    }

    /// Validates a query and normalises it under the cosine metric.
    func prepare(_ query: [Float], field: String) throws(MatcherError) -> [Float] {
        guard query.count == dimension else {
            throw .dimensionMismatch(field: field, expected: dimension, actual: query.count)
        }
        if let bad = query.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteValue(field: field, position: bad) }
        guard metric == .cosine else { return query }
        guard let unit = VectorMath.normalized(query) else { throw .zeroVector(field: field) }
        return unit
    }

    /// Live rows ∧ the caller's filter, or `nil` for "every row".
    func effectiveMask(_ filter: RowFilter?) throws(MatcherError) -> RowFilter? {
        if let filter, filter.rowCount != rowCount {
            throw .filterMismatch(expectedRows: rowCount, actualRows: filter.rowCount)
        }
        switch (filter, live) {
        case (nil, nil): return nil
        case (let f?, nil): return f
        case (nil, let l?): return l
        case (let f?, let l?): return f.intersection(l)
        }
    }
}
