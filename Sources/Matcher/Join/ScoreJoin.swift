import Dispatch

/// Every query against every row, by tiles: the batch form of an exact search when the caller
/// needs all pairs above a threshold (FAISS's `range_search` on a flat inner-product index)
/// or a statistic of each pair rather than a top k.
///
/// Query rows are taken `tileRows` at a time; each tile's scores against all rows come from one
/// `cblas_sgemm` (`BLASKernel.scoreTile`) into a buffer reused for the next tile, so memory
/// stays at `tileRows × rows.rows` scores whatever the sizes: the full product is never held.
/// With several workers, tiles are dealt out in order and each worker owns a buffer.
public enum ScoreJoin {
    /// One pair at or above a threshold.
    public struct Pair: Sendable, Hashable {
        public var query: Int
        public var row: Int
        public var score: Float
        public init(query: Int, row: Int, score: Float) {
            self.query = query
            self.row = row
            self.score = score
        }
    }

    /// Query tile height: 256 rows keeps a tile of scores against 20k rows at 20 MB; with it the
    /// market view's products run at 71–77 % of the `sgemm` peak (`benchmarks/results/market-join.md`).
    public static let defaultTileRows = 256

    /// Calls `visit(worker, firstQuery, queryCount, scores)` for each tile of queries, where
    /// `scores[q × rows.rows + r] = ⟨queries[firstQuery + q], rows[r]⟩`. The buffer is valid
    /// during the call only. With `workers > 1`, calls run concurrently (one worker's calls in
    /// order), so `visit` must only touch state of its `worker`.
    /// - Throws: `MatcherError.dimensionMismatch` when the column counts differ.
    public static func forEachTile(queries: Matrix, rows: Matrix, tileRows: Int = defaultTileRows, workers: Int = 1,
                                   _ visit: @Sendable (_ worker: Int, _ firstQuery: Int, _ queryCount: Int,
                                                       _ scores: UnsafeBufferPointer<Float>) -> Void) throws(MatcherError) {
        guard queries.columns == rows.columns else {
            throw .dimensionMismatch(field: "rows", expected: queries.columns, actual: rows.columns)
        }
        BLASKernel.useMatcherThreading()
        let tile = max(1, tileRows), d = queries.columns, n = rows.rows
        let tiles = (queries.rows + tile - 1) / tile
        guard tiles > 0, n > 0 else { return }
        let workerCount = max(1, min(workers, tiles))
        queries.withUnsafeValues { q in
            rows.withUnsafeValues { r in
                let qBase = UnsafeSendable(q.baseAddress), rBase = UnsafeSendable(r.baseAddress)
                DispatchQueue.concurrentPerform(iterations: workerCount) { w in
                    let out = UnsafeMutableBufferPointer<Float>.allocate(capacity: tile * n)
                    defer { out.deallocate() }
                    var t = w
                    while t < tiles {
                        let first = t * tile, count = min(tile, queries.rows - first)
                        if d == 0 {
                            out.initialize(repeating: 0)
                        } else {
                            BLASKernel.scoreTile(queries: qBase.value! + first * d, queryCount: count, rows: rBase.value!,
                                                 rowCount: n, dimension: d, into: out.baseAddress!)
                        }
                        visit(w, first, count, UnsafeBufferPointer(rebasing: out[0..<(count * n)]))
                        t += workerCount
                    }
                }
            }
        }
    }

    /// Every pair scoring at least `threshold`, by query then row.
    public static func pairs(queries: Matrix, rows: Matrix, atLeast threshold: Float,
                             tileRows: Int = defaultTileRows) throws(MatcherError) -> [Pair] {
        let found = UnsafeSendableBox<[Pair]>([])
        let n = rows.rows
        try forEachTile(queries: queries, rows: rows, tileRows: tileRows) { _, first, count, scores in
            for q in 0..<count {
                for r in 0..<n where scores[q * n + r] >= threshold {
                    found.value.append(Pair(query: first + q, row: r, score: scores[q * n + r]))
                }
            }
        }
        return found.value
    }
}

/// A pointer handed to the workers of `concurrentPerform`, which do not outlive the call.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// State written by one worker only (`pairs` runs one).
private final class UnsafeSendableBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
