/// The four scans of a search worker, each feeding scores into per-query top-k heaps.
///
/// - `scanSingle`: one query, every row block scored (`DotKernel`, or BLAS for comparison),
///   disallowed rows skipped while merging; blocks whose mask words are all zero are not scored.
/// - `scanBatch`: many queries, `sgemm` on (query tile × row tile) into a scratch block, each
///   query's slice merged into its heap: n × Q scores never exist at once.
/// - `gatherSingle`: one query, only allowed rows scored, one dot each.
/// - `gatherBatch`: allowed rows copied into a tile, then `sgemm` as in `scanBatch`.
/// - `screenBatch`: many queries, every row screened in bf16 on the tile units, candidates kept
///   for an exact rescoring (`ScreenWorker`); `gatherScreened`: the same over allowed rows only.
///
/// Merging follows FAISS's `HeapBlockResultHandler`: 16 scores are compared with the heap's
/// cached threshold at once, and only blocks with a candidate at or above it are looked at.
struct RowScanner {
    let snapshot: IndexSnapshot
    let queries: UnsafePointer<Float>
    let queryCount: Int
    let cursors: [SearchCursor?]?
    let tuning: SearchTuning

    private var d: Int { snapshot.dimension }

    /// - Precondition: `rows` starts on a multiple of `tuning.rowBlock`; `mask`, when given,
    ///   covers the snapshot's rows.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    func scanSingle(rows: Range<Int>, mask: UnsafePointer<UInt64>?, heap: inout TopKHeap) {
        let block = tuning.rowBlock
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: block)
        defer { scores.deallocate() }
        let cursor = cursors?[0] ?? nil
        let kernel = tuning.singleQueryKernel
        var watch = Stopwatch(enabled: tuning.profile != nil)
        var r = rows.lowerBound
        while r < rows.upperBound {
            let m = min(block, rows.upperBound - r)
            let chunk = snapshot.chunks[r / FlatIndex.chunkRows]
            let offset = r % FlatIndex.chunkRows
            let words = mask.map { $0 + (r >> 6) }
            if let words, Self.allZero(words, rows: m) {
                r += m
                continue
            }
            let base = UnsafePointer(chunk.row(offset))
            watch.lap()
            switch kernel {
            case .simd: DotKernel.scores(query: queries, rows: base, rowCount: m, dimension: d, into: scores)
            case .portable: DotKernel.portableScores(query: queries, rows: base, rowCount: m, dimension: d, into: scores)
            case .sgemv: BLASKernel.scoreRows(query: queries, rows: base, rowCount: m, dimension: d, into: scores)
            case .sgemm: BLASKernel.scoreTile(queries: queries, queryCount: 1, rows: base, rowCount: m, dimension: d, into: scores)
            }
            watch.lap(scoring: true, rows: m)
            Self.merge(scores: scores, count: m, ids: chunk.ids + offset, mask: words, cursor: cursor, into: &heap)
            watch.lap(scoring: false)
            r += m
        }
        watch.report(to: tuning.profile)
    }

    /// - Precondition: `rows` starts on a multiple of `tuning.rowTile`.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    func scanBatch(rows: Range<Int>, mask: UnsafePointer<UInt64>?, heaps: UnsafeMutableBufferPointer<TopKHeap>) {
        let tile = tuning.rowTile
        let qTile = min(tuning.queryTile, queryCount)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: qTile * tile)
        defer { scores.deallocate() }
        var watch = Stopwatch(enabled: tuning.profile != nil)
        var r = rows.lowerBound
        while r < rows.upperBound {
            let m = min(tile, rows.upperBound - r)
            let chunk = snapshot.chunks[r / FlatIndex.chunkRows]
            let offset = r % FlatIndex.chunkRows
            let words = mask.map { $0 + (r >> 6) }
            if let words, Self.allZero(words, rows: m) {
                r += m
                continue
            }
            scoreAndMerge(rows: chunk.row(offset), ids: chunk.ids + offset, count: m, mask: words,
                          scores: scores, heaps: heaps, watch: &watch)
            r += m
        }
        watch.report(to: tuning.profile)
    }

    /// Screens `rows` for every query into `worker`'s candidate lists (see `ScreenWorker`).
    /// - Precondition: `rows` starts on a multiple of 64.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    func screenBatch(rows: Range<Int>, mask: UnsafePointer<UInt64>?, worker: ScreenWorker) {
        var watch = Stopwatch(enabled: tuning.profile != nil)
        var r = rows.lowerBound
        while r < rows.upperBound {
            let offset = r % FlatIndex.chunkRows
            let m = min(FlatIndex.chunkRows - offset, rows.upperBound - r)
            let chunk = snapshot.chunks[r / FlatIndex.chunkRows]
            watch.lap()
            worker.screen(rows: chunk.row(offset), count: m, first: r, mask: mask.map { $0 + (r >> 6) })
            watch.lap(scoring: true, rows: m * queryCount)
            r += m
        }
        watch.report(to: tuning.profile)
    }

    /// Copies the allowed rows of `rows` into tiles and screens each tile for every query into
    /// `worker`'s candidate lists: the gather path of a screened batch.
    /// - Precondition and warning as `gatherSingle`.
    func gatherScreened(rows: Range<Int>, mask: UnsafePointer<UInt64>?, worker: ScreenWorker) {
        let tile = tuning.rowTile
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: tile * d)
        let gatheredRows = UnsafeMutablePointer<Int64>.allocate(capacity: tile)
        defer {
            gathered.deallocate()
            gatheredRows.deallocate()
        }
        var filled = 0
        var watch = Stopwatch(enabled: tuning.profile != nil)
        defer { watch.report(to: tuning.profile) }
        func flush() {
            watch.lap()
            worker.screen(rows: gathered, count: filled, first: 0, mask: nil, rowIndex: gatheredRows)
            watch.lap(scoring: true, rows: filled * queryCount)
            filled = 0
        }
        forEachAllowed(rows: rows, mask: mask) { row in
            let chunk = snapshot.chunks[row / FlatIndex.chunkRows]
            (gathered + filled * d).update(from: chunk.row(row % FlatIndex.chunkRows), count: d)
            gatheredRows[filled] = Int64(row)
            filled += 1
            if filled == tile { flush() }
        }
        if filled > 0 { flush() }
    }

    /// - Precondition: `mask` is non-nil (a gather needs an allow-list); `rows` starts on a multiple of 64.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    func gatherSingle(rows: Range<Int>, mask: UnsafePointer<UInt64>?, heap: inout TopKHeap) {
        let cursor = cursors?[0] ?? nil
        forEachAllowed(rows: rows, mask: mask) { row in
            let chunk = snapshot.chunks[row / FlatIndex.chunkRows]
            let offset = row % FlatIndex.chunkRows
            let s = DotKernel.dot(queries, chunk.row(offset), dimension: d)
            guard s >= heap.threshold else { return }
            let id = chunk.ids[offset]
            if let cursor, !ranksBefore(cursor.score, cursor.id, s, id) { return }
            heap.offer(score: s, id: id)
        }
    }

    /// - Precondition and warning as `gatherSingle`.
    func gatherBatch(rows: Range<Int>, mask: UnsafePointer<UInt64>?, heaps: UnsafeMutableBufferPointer<TopKHeap>) {
        let tile = tuning.rowTile
        let qTile = min(tuning.queryTile, queryCount)
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: tile * d)
        let gatheredIDs = UnsafeMutablePointer<UInt64>.allocate(capacity: tile)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: qTile * tile)
        defer {
            gathered.deallocate()
            gatheredIDs.deallocate()
            scores.deallocate()
        }
        var filled = 0
        var watch = Stopwatch(enabled: tuning.profile != nil)
        defer { watch.report(to: tuning.profile) }
        func flush() {
            scoreAndMerge(rows: gathered, ids: gatheredIDs, count: filled, mask: nil,
                          scores: scores, heaps: heaps, watch: &watch)
            filled = 0
        }
        forEachAllowed(rows: rows, mask: mask) { row in
            let chunk = snapshot.chunks[row / FlatIndex.chunkRows]
            let offset = row % FlatIndex.chunkRows
            (gathered + filled * d).update(from: chunk.row(offset), count: d)
            gatheredIDs[filled] = chunk.ids[offset]
            filled += 1
            if filled == tile { flush() }
        }
        if filled > 0 { flush() }
    }

    /// Scores `count` consecutive rows against every query, tile by tile, and merges each
    /// query's scores into its heap.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    @inline(__always)
    private func scoreAndMerge(rows: UnsafePointer<Float>, ids: UnsafePointer<UInt64>, count m: Int,
                               mask words: UnsafePointer<UInt64>?, scores: UnsafeMutablePointer<Float>,
                               heaps: UnsafeMutableBufferPointer<TopKHeap>, watch: inout Stopwatch) {
        let qTile = min(tuning.queryTile, queryCount)
        let layout: SearchTuning.TileLayout = queryCount <= tuning.rowsByQueriesUpTo ? .rowsByQueries : .queriesByRows
        var q0 = 0
        while q0 < queryCount {
            let qm = min(qTile, queryCount - q0)
            watch.lap()
            switch layout {
            case .queriesByRows:
                BLASKernel.scoreTile(queries: queries + q0 * d, queryCount: qm, rows: rows, rowCount: m,
                                     dimension: d, into: scores)
                watch.lap(scoring: true, rows: m * qm)
                for qi in 0..<qm {
                    Self.merge(scores: scores + qi * m, count: m, ids: ids, mask: words,
                               cursor: cursors?[q0 + qi] ?? nil, into: &heaps[q0 + qi])
                }
            case .rowsByQueries:
                if tuning.smallBatchKernel == .sgemm
                    || !DotKernel.batchScores(queries: queries + q0 * d, queryCount: qm, rows: rows, rowCount: m,
                                              dimension: d, wide: tuning.smallBatchKernel == .simd, into: scores) {
                    BLASKernel.scoreTileRowsMajor(queries: queries + q0 * d, queryCount: qm, rows: rows, rowCount: m,
                                                  dimension: d, into: scores)
                }
                watch.lap(scoring: true, rows: m * qm)
                for qi in 0..<qm {
                    Self.mergeStrided(scores: scores + qi, stride: qm, count: m, ids: ids, mask: words,
                                      cursor: cursors?[q0 + qi] ?? nil, into: &heaps[q0 + qi])
                }
            }
            watch.lap(scoring: false)
            q0 += qm
        }
    }

    /// As `merge`, over `scores[0], scores[stride], …`.
    @inline(__always)
    static func mergeStrided(scores: UnsafePointer<Float>, stride: Int, count: Int, ids: UnsafePointer<UInt64>,
                             mask: UnsafePointer<UInt64>?, cursor: SearchCursor?, into heap: inout TopKHeap) {
        var j = 0
        while j < count {
            let s = scores[j &* stride]
            if s >= heap.threshold {
                if mask == nil || mask![j >> 6] & (1 << UInt64(j & 63)) != 0 {
                    let id = ids[j]
                    if cursor == nil || ranksBefore(cursor!.score, cursor!.id, s, id) { heap.offer(score: s, id: id) }
                }
            }
            j &+= 1
        }
    }

    /// Calls `body` with each allowed row in `rows` (every row when `mask` is nil), ascending.
    @inline(__always)
    private func forEachAllowed(rows: Range<Int>, mask: UnsafePointer<UInt64>?, _ body: (Int) -> Void) {
        guard let mask else {
            for r in rows { body(r) }
            return
        }
        var w = rows.lowerBound >> 6
        let end = (rows.upperBound + 63) >> 6
        while w < end {
            var word = mask[w]
            while word != 0 {
                let row = w << 6 | word.trailingZeroBitCount
                if row < rows.upperBound { body(row) }
                word &= word &- 1
            }
            w += 1
        }
    }

    @inline(__always)
    static func allZero(_ words: UnsafePointer<UInt64>, rows: Int) -> Bool {
        let n = (rows + 63) >> 6
        var acc: UInt64 = 0
        for i in 0..<n { acc |= words[i] }
        return acc == 0
    }

    /// Offers `scores[0..<count]` (ids alongside, mask bits from bit 0 of `mask[0]`) to `heap`.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    /// - Complexity: O(count) compares; O(log k) per score that enters.
    @inline(__always)
    static func merge(scores: UnsafePointer<Float>, count: Int, ids: UnsafePointer<UInt64>,
                      mask: UnsafePointer<UInt64>?, cursor: SearchCursor?, into heap: inout TopKHeap) {
        @inline(__always)
        func consider(_ j: Int) {
            let s = scores[j]
            guard s >= heap.threshold else { return }
            if let mask, mask[j >> 6] & (1 << UInt64(j & 63)) == 0 { return }
            let id = ids[j]
            if let cursor, !ranksBefore(cursor.score, cursor.id, s, id) { return }
            heap.offer(score: s, id: id)
        }
        var i = 0
        let raw = UnsafeRawPointer(scores)
        while i + 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            if any(v .>= SIMD16<Float>(repeating: heap.threshold)) {
                for j in i..<(i + 16) { consider(j) }
            }
            i &+= 16
        }
        while i < count {
            consider(i)
            i &+= 1
        }
    }
}

/// Splits a worker's time into scoring and merging when profiling is on; free otherwise.
struct Stopwatch {
    let enabled: Bool
    private var last = ContinuousClock.now
    private var scoring = Duration.zero
    private var merging = Duration.zero
    private var rows = 0

    init(enabled: Bool) { self.enabled = enabled }

    /// Ends the current interval: counts it as scoring, merging, or (nil) neither.
    @inline(__always)
    mutating func lap(scoring isScoring: Bool? = nil, rows scored: Int = 0) {
        guard enabled else { return }
        let now = ContinuousClock.now
        switch isScoring {
        case true?: scoring += now - last
        case false?: merging += now - last
        case nil: break
        }
        rows += scored
        last = now
    }

    func report(to profile: SearchProfile?) {
        guard enabled, let profile else { return }
        profile.add(scoring: scoring, merging: merging, rows: rows)
    }
}
