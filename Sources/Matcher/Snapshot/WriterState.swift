/// What the single writer of a `FlatIndex` owns: the chunks, the id map and liveness.
///
/// Only rows at or beyond the last published `rowCount` are ever written, so chunks can be
/// shared with every snapshot already published.
struct WriterState {
    let dimension: Int
    let metric: Metric
    private(set) var chunks: [RowChunk] = []
    private(set) var rowCount = 0
    /// Dead rows as bitset words; rows beyond its end are live. Kept separate from the
    /// snapshots' liveness so that appends cost O(1).
    private var dead: [UInt64] = []
    private(set) var deadRows = 0
    private(set) var idToRow: [UInt64: Int] = [:]
    private(set) var generation: UInt64 = 0
    /// Changes only when compaction renumbers the rows.
    private(set) var layout: UInt64 = 0

    init(dimension: Int, metric: Metric) {
        self.dimension = dimension
        self.metric = metric
    }

    var shouldCompact: Bool { deadRows >= 64 && deadRows * 4 > rowCount }

    mutating func snapshot() -> IndexSnapshot {
        generation += 1
        var live: RowFilter?
        if deadRows > 0 {
            var words = [UInt64](repeating: 0, count: (rowCount + 63) / 64)
            for w in 0..<words.count {
                let used = min(64, rowCount - w * 64)
                let full: UInt64 = used == 64 ? ~0 : (1 << UInt64(used)) - 1
                words[w] = full & ~(w < dead.count ? dead[w] : 0)
            }
            live = RowFilter(rowCount: rowCount, words: words, count: rowCount - deadRows)
        }
        return IndexSnapshot(dimension: dimension, metric: metric, rowCount: rowCount, chunks: chunks,
                             live: live, generation: generation, layout: layout)
    }

    /// Appends `vector` (already validated and normalised) as the live row for `id`.
    mutating func upsert(id: UInt64, vector: [Float]) {
        if let old = idToRow[id] { kill(old) }
        let row = vector.withUnsafeBufferPointer { append(id: id, values: $0.baseAddress!) }
        idToRow[id] = row
    }

    /// Appends a row copied from `values` (`dimension` floats); returns its row number.
    /// - Warning: `values` is read during the call only.
    @inline(__always)
    mutating func append(id: UInt64, values: UnsafePointer<Float>) -> Int {
        let row = rowCount
        let c = row / FlatIndex.chunkRows
        let offset = row % FlatIndex.chunkRows
        if c == chunks.count {
            chunks.append(RowChunk(capacity: FlatIndex.chunkRows, dimension: dimension))
        }
        chunks[c].row(offset).update(from: values, count: dimension)
        chunks[c].ids[offset] = id
        rowCount += 1
        return row
    }

    /// Marks `id`'s row dead; `false` if `id` is not live.
    mutating func delete(id: UInt64) -> Bool {
        guard let row = idToRow.removeValue(forKey: id) else { return false }
        kill(row)
        return true
    }

    private mutating func kill(_ row: Int) {
        let w = row >> 6
        if w >= dead.count { dead.append(contentsOf: repeatElement(0, count: w + 1 - dead.count)) }
        let bit: UInt64 = 1 << UInt64(row & 63)
        if dead[w] & bit == 0 {
            dead[w] |= bit
            deadRows += 1
        }
    }

    /// Rewrites the live rows into fresh chunks, in row order.
    mutating func compact() {
        guard deadRows > 0 else { return }
        layout += 1
        let old = chunks
        let oldRows = rowCount
        let oldDead = dead
        chunks = []
        rowCount = 0
        dead = []
        deadRows = 0
        idToRow.removeAll(keepingCapacity: true)
        for row in 0..<oldRows where (row >> 6) >= oldDead.count || oldDead[row >> 6] & (1 << UInt64(row & 63)) == 0 {
            let chunk = old[row / FlatIndex.chunkRows]
            let offset = row % FlatIndex.chunkRows
            let id = chunk.ids[offset]
            let newRow = append(id: id, values: chunk.row(offset))
            idToRow[id] = newRow
        }
    }

    /// Takes a freshly loaded, full-or-final chunk holding `rows` rows (ids included).
    mutating func adopt(chunk: RowChunk, rows: Int) {
        precondition(rowCount % FlatIndex.chunkRows == 0 && rows <= FlatIndex.chunkRows)
        chunks.append(chunk)
        rowCount += rows
    }

    /// Maps every id to its row (rows in order); returns an id that appears twice, if any.
    mutating func indexIDs(_ ids: UnsafeBufferPointer<UInt64>) -> UInt64? {
        idToRow.reserveCapacity(ids.count)
        for (row, id) in ids.enumerated() {
            if idToRow.updateValue(row, forKey: id) != nil { return id }
        }
        return nil
    }
}
