/// The four scans of a search worker, each feeding scores into per-query top-k heaps.
///
/// - `scanSingle`: one query, every row block scored (`DotKernel`, or BLAS for comparison),
///   disallowed rows skipped while merging; blocks whose mask words are all zero are not scored.
/// - `scanBatch`: many queries, `sgemm` on (query tile × row tile) into a scratch block, each
///   query's slice merged into its heap: n × Q scores never exist at once.
/// - `gatherSingle`: one query, only allowed rows scored, one dot each.
/// - `gatherBatch`: allowed rows copied into a tile, then `sgemm` as in `scanBatch`; the tiles
///   are fixed by the filter, not by the workers' ranges, so results do not depend on them.
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
    /// The worker's buffers, allocated once per search for all the ranges it scans.
    let scratch: ScanScratch

    private var d: Int { snapshot.dimension }

    /// - Precondition: `rows` starts on a multiple of `tuning.rowBlock`; `mask`, when given,
    ///   covers the snapshot's rows.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    func scanSingle(rows: Range<Int>, mask: UnsafePointer<UInt64>?, heap: inout TopKHeap) {
        let block = tuning.rowBlock
        let scores = scratch.scores
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
        let scores = scratch.scores
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
        let gathered = scratch.gathered!, gatheredRows = scratch.gatheredRows!
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

    /// Scores the allowed rows in tiles of `tuning.rowTile` copied rows, `sgemm` or the
    /// small-batch kernel on each tile as in `scanBatch`.
    ///
    /// Tiles are fixed by the filter alone, never by how the rows were shared out: tile t holds
    /// the allowed rows ranked t·rowTile ..< (t + 1)·rowTile among all allowed rows of the
    /// snapshot, and belongs to the worker whose range holds its first row, which reads on past
    /// its range's end to complete it. A row's float score depends on the tile it is scored in
    /// (the small-batch kernels score rows in blocks of 2 or 4 and leftover rows with another
    /// summation order; OpenBLAS picks its kernels by the product's shape), so tiles filled
    /// from each worker's own range would give results that change with the thread count and
    /// the claims.
    /// - Parameter allowedBefore: counts the allowed rows before each range; one per worker,
    ///   whose ranges ascend.
    /// - Precondition: `mask` is non-nil; `rows` starts on a multiple of 64.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    func gatherBatch(rows: Range<Int>, mask: UnsafePointer<UInt64>?, allowedBefore: inout AllowedRowCount,
                     heaps: UnsafeMutableBufferPointer<TopKHeap>) {
        let tile = tuning.rowTile
        // This range's first tile starts `skip` allowed rows into it.
        var skip = 0
        if let mask {
            let rank = allowedBefore.before(rows.lowerBound, mask: mask)
            skip = (tile - rank % tile) % tile
        }
        let gathered = scratch.gathered!, gatheredIDs = scratch.gatheredIDs!, scores = scratch.scores
        var filled = 0
        var watch = Stopwatch(enabled: tuning.profile != nil)
        defer { watch.report(to: tuning.profile) }
        func flush() {
            scoreAndMerge(rows: gathered, ids: gatheredIDs, count: filled, mask: nil,
                          scores: scores, heaps: heaps, watch: &watch)
            filled = 0
        }
        forEachAllowedWhile(rows: rows.lowerBound..<snapshot.rowCount, mask: mask, { row in
            if skip > 0 {
                skip -= 1
                return row < rows.upperBound
            }
            // A tile starting at or past the range's end is the next range's.
            if filled == 0 && row >= rows.upperBound { return false }
            let chunk = snapshot.chunks[row / FlatIndex.chunkRows]
            let offset = row % FlatIndex.chunkRows
            (gathered + filled * d).update(from: chunk.row(offset), count: d)
            gatheredIDs[filled] = chunk.ids[offset]
            filled += 1
            if filled == tile { flush() }
            return true
        })
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
        forEachAllowedWhile(rows: rows, mask: mask, { row in
            body(row)
            return true
        })
    }

    /// As `forEachAllowed`, stopping once `body` returns false.
    @inline(__always)
    private func forEachAllowedWhile(rows: Range<Int>, mask: UnsafePointer<UInt64>?, _ body: (Int) -> Bool) {
        guard let mask else {
            for r in rows where !body(r) { return }
            return
        }
        var w = rows.lowerBound >> 6
        let end = (rows.upperBound + 63) >> 6
        while w < end {
            var word = mask[w]
            while word != 0 {
                let row = w << 6 | word.trailingZeroBitCount
                if row >= rows.lowerBound && row < rows.upperBound && !body(row) { return }
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

/// The allowed rows before a row, counted once across all of one worker's ranges (which ascend).
struct AllowedRowCount {
    private var word = 0
    private var count = 0

    /// Allowed rows in `0 ..< row`.
    /// - Precondition: `row` is a multiple of 64 and not below the previous call's.
    /// - Complexity: O(words since the previous call).
    @inline(__always)
    mutating func before(_ row: Int, mask: UnsafePointer<UInt64>) -> Int {
        let w = row >> 6
        while word < w {
            count &+= mask[word].nonzeroBitCount
            word &+= 1
        }
        return count
    }
}

/// One worker's scratch buffers for one search, sized for the scan it runs and allocated once,
/// however many ranges (claims) the worker takes: so a search allocates the same few buffers
/// whatever the row count.
struct ScanScratch {
    /// Scores of one block (`rowBlock`) or one tile (`queryTile` × `rowTile`).
    let scores: UnsafeMutablePointer<Float>
    /// Gather paths: the copied rows of one tile.
    let gathered: UnsafeMutablePointer<Float>?
    /// Gather paths without the screen: the copied rows' ids.
    let gatheredIDs: UnsafeMutablePointer<UInt64>?
    /// Screened gathers: the copied rows' row numbers.
    let gatheredRows: UnsafeMutablePointer<Int64>?

    init(path: SearchTuning.Path, screened: Bool, queryCount: Int, dimension d: Int, tuning: SearchTuning) {
        let tile = tuning.rowTile
        let qTile = min(tuning.queryTile, queryCount)
        scores = .allocate(capacity: screened ? 1 : queryCount == 1 ? max(tuning.rowBlock, tile) : qTile * tile)
        let gathering = path == .gather && queryCount > 1
        gathered = gathering ? .allocate(capacity: tile * d) : nil
        gatheredIDs = gathering && !screened ? .allocate(capacity: tile) : nil
        gatheredRows = gathering && screened ? .allocate(capacity: tile) : nil
    }

    func release() {
        scores.deallocate()
        gathered?.deallocate()
        gatheredIDs?.deallocate()
        gatheredRows?.deallocate()
    }
}
