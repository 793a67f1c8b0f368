import CBLAS

/// Exact batch search through a bfloat16 screen on the CPU's tile units (AMX), then an exact
/// rescoring of the few rows the screen lets through.
///
/// **Why it is exact.** For a query q and a row x, let r(x) be the float score the rescoring
/// computes (`DotKernel.dot`) and a(x) the screen's bf16 score. Rounding q and x to bf16 costs
/// each product at most (2u + u²)|qᵢxᵢ| (u = 2⁻⁸); the tile units' float sums and the float
/// rescoring each cost at most γ_d Σ|qᵢxᵢ| (γ_d = d·2⁻²⁴ / (1 − d·2⁻²⁴)); and Σ|qᵢxᵢ| ≤ ‖q‖‖x‖.
/// So |a(x) − r(x)| ≤ ε(x) = c_d ‖q‖ ‖x‖ with c_d = 2u + u² + γ_d (1 + u)² + γ_d
/// (`slackPerNorm`, with a margin for the rounding of the norms and of the comparisons). Each query keeps a lower bound L on its
/// k-th best r: the k-th largest a(x) − ε(x) among its candidates (k rows have r at least that).
/// A row is a candidate when a(x) + ε(x) ≥ L; every row of the true top k (ties included)
/// satisfies it, since r(x) ≥ r_k ≥ L and a(x) + ε(x) ≥ r(x), and L only grows, so no row
/// dropped early could have qualified later. Rescoring the candidates in float and keeping the
/// k best in result order gives exactly the float scan's answer. A NaN or overflowed bf16 score
/// counts as reaching the bound (it is rescored, never dropped).
///
/// **What it costs.** On unit vectors ε is about 0.008: on the comparison's data a few dozen
/// rows per query are rescored. Rows many of which score within 2ε of the k-th (many
/// near-duplicates) make longer candidate lists, which grow as needed (`grow`). The screen reads
/// every float row once per batch and converts it in cache, so the index stores nothing extra.
/// Sparse filters gather the allowed rows into a tile and screen that (`gatherScreened`).
/// See `SearchTuning.screenBatchesFrom` for the measurements that placed it.
enum ScreenKernel {
    /// Whether this process can screen on AMX (checked, and the tile state requested from
    /// Linux, once).
    static let available: Bool = matchd_screen_amx_enable() != 0

    /// Rows converted and screened at a time.
    static let tileRows = Int(MATCHD_SCREEN_ROWS)

    /// c_d of the type's note, for `dimension` columns, with room for the rounding of the row
    /// norms (computed in float) and of the comparisons themselves.
    static func slackPerNorm(dimension d: Int) -> Double {
        let u = 0x1p-8, unit = 0x1p-24
        let gamma = Double(d) * unit / (1 - Double(d) * unit)
        let c = 2 * u + u * u + gamma * (1 + u) * (1 + u) + gamma
        return c * (1 + 2 * gamma + 0x1p-10)
    }

    /// Whether a batch of `queryCount` queries keeping `keep` results should be screened: the
    /// tile units exist, `tuning` places the batch there, and the candidate lists (16 bytes ×
    /// (1.5 k + 2 tiles) per query per worker) stay within 256 MB.
    static func chosen(queryCount: Int, keep: Int, tuning: SearchTuning) -> Bool {
        tuning.screen && available && queryCount >= tuning.screenBatchesFrom
            && queryCount * (keep + keep / 2 + 2 * tileRows) <= 1 << 24
    }
}

extension ScreenKernel {
    /// The screen's bf16 score of every row for every query (`[query][row]`) and each row's
    /// norm as the screen computed it: what the error bound is checked against in tests.
    /// - Precondition: `available`; row-major `queries` (`queryCount` × `dimension`) and `rows`.
    static func rawScores(queries: [Float], queryCount: Int, rows: [Float], rowCount: Int,
                          dimension d: Int) -> (scores: [[Float]], norms: [Float]) {
        let packed = queries.withUnsafeBufferPointer { ScreenQueries(queries: $0.baseAddress!, count: queryCount, dimension: d) }
        // Keeping more rows than there are leaves every bound at -infinity: every row a candidate.
        let worker = ScreenWorker(dimension: d, queryCount: queryCount, keep: rowCount + 1, packed: packed)
        rows.withUnsafeBufferPointer { worker.screen(rows: $0.baseAddress!, count: rowCount, first: 0, mask: nil) }
        var out = [[Float]](repeating: [Float](repeating: .nan, count: rowCount), count: queryCount)
        var rowNorms = [Float](repeating: .nan, count: rowCount)
        for q in 0..<queryCount {
            worker.forEachCandidate(of: q) { score, row, norm in
                out[q][row] = score
                rowNorms[row] = norm
            }
        }
        return (out, rowNorms)
    }
}

/// The queries of one screened search, packed once into the tile layout and read by every worker.
final class ScreenQueries: @unchecked Sendable {
    // @unchecked Sendable: written in init only.
    let packed: UnsafeMutablePointer<UInt16>
    let groups: Int
    /// Per padded query: c_d ‖q‖ (0 for the padding).
    let slack: UnsafeMutablePointer<Float>

    init(queries: UnsafePointer<Float>, count: Int, dimension d: Int) {
        groups = (count + 15) / 16
        let padded = Int(matchd_screen_padded(d))
        let bytes = groups * 16 * padded * 2
        packed = UnsafeMutableRawPointer.allocate(byteCount: max(64, bytes), alignment: 64)
            .bindMemory(to: UInt16.self, capacity: max(32, bytes / 2))
        matchd_screen_pack_queries(queries, count, d, packed)
        slack = .allocate(capacity: groups * 16)
        slack.initialize(repeating: 0, count: groups * 16)
        let c = ScreenKernel.slackPerNorm(dimension: d)
        for q in 0..<count {
            var sum = 0.0
            for j in 0..<d { sum += Double(queries[q * d + j]) * Double(queries[q * d + j]) }
            slack[q] = Float(c * sum.squareRoot() * (1 + 0x1p-20)).nextUp
        }
    }

    deinit {
        UnsafeMutableRawPointer(packed).deallocate()
        slack.deallocate()
    }
}

/// One worker's side of a screened search: per query a list of candidates (bf16 score, row,
/// row norm) and the lower bound L they are screened against; then the exact rescoring.
final class ScreenWorker {
    private let dimension: Int
    private let queryCount: Int
    private let keep: Int
    private let packed: ScreenQueries
    private var cap: Int
    private var scores: UnsafeMutablePointer<Float>
    private var rows: UnsafeMutablePointer<Int64>
    private var norms: UnsafeMutablePointer<Float>
    private let counts: UnsafeMutablePointer<Int64>
    private let bound: UnsafeMutablePointer<Float>
    private let tile: UnsafeMutableRawPointer
    private let tileScores: UnsafeMutableRawPointer
    private let tileNorms: UnsafeMutablePointer<Float>
    private var lower: [Double] = []

    init(dimension: Int, queryCount: Int, keep: Int, packed: ScreenQueries) {
        self.dimension = dimension
        self.queryCount = queryCount
        self.keep = keep
        self.packed = packed
        let r = ScreenKernel.tileRows
        cap = keep + keep / 2 + 2 * r
        scores = .allocate(capacity: queryCount * cap)
        rows = .allocate(capacity: queryCount * cap)
        norms = .allocate(capacity: queryCount * cap)
        counts = .allocate(capacity: queryCount)
        counts.initialize(repeating: 0, count: queryCount)
        bound = .allocate(capacity: packed.groups * 16)
        bound.initialize(repeating: .infinity, count: packed.groups * 16)
        bound.update(repeating: -.infinity, count: queryCount)
        tile = .allocate(byteCount: r * Int(matchd_screen_padded(dimension)) * 2, alignment: 64)
        tileScores = .allocate(byteCount: 32 * 32 * 4, alignment: 64)
        tileNorms = .allocate(capacity: r)
    }

    deinit {
        scores.deallocate()
        rows.deallocate()
        norms.deallocate()
        counts.deallocate()
        bound.deallocate()
        tile.deallocate()
        tileScores.deallocate()
        tileNorms.deallocate()
    }

    /// Screens `count` consecutive rows, the first being row `first` of the snapshot, or with
    /// `rowIndex` the gathered rows `rowIndex[0 ..< count]`.
    /// - Precondition: `first` is a multiple of 64; `mask`, when given, has `first`'s bit at bit 0.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    func screen(rows base: UnsafePointer<Float>, count: Int, first: Int, mask: UnsafePointer<UInt64>?,
                rowIndex: UnsafePointer<Int64>? = nil) {
        var done = 0
        while done < count {
            makeRoom()
            var args = matchd_screen_args(
                rows: base + done * dimension, count: count - done, d: dimension,
                first: first + done, mask: mask.map { $0 + done / 64 }, row_index: rowIndex.map { $0 + done },
                queries: packed.packed, groups: packed.groups,
                bound: bound, slack: packed.slack, cand_score: scores, cand_row: rows, cand_norm: norms,
                cand_count: counts, cap: cap, tile: tile.assumingMemoryBound(to: UInt16.self),
                scores: tileScores.assumingMemoryBound(to: Float.self), norms: tileNorms)
            done += matchd_screen_amx(&args)
        }
    }

    /// Prunes every list with fewer than a tile's slots free (the kernel's precondition), and
    /// grows the lists when pruning cannot keep half of them free.
    private func makeRoom() {
        let r = ScreenKernel.tileRows
        var fullest = 0
        for q in 0..<queryCount where Int(counts[q]) > cap - r {
            prune(q)
            fullest = max(fullest, Int(counts[q]))
        }
        if fullest > cap / 2 { grow(to: max(2 * cap, fullest + 2 * r)) }
    }

    /// Raises query `q`'s bound to the k-th largest a − ε of its candidates and drops those
    /// whose a + ε falls below it.
    private func prune(_ q: Int) {
        let n = Int(counts[q])
        guard n >= keep else { return }
        let slack = Double(packed.slack[q])
        let base = q * cap
        if lower.count < n { lower = Array(repeating: 0, count: max(n, 2 * lower.count)) }
        lower.withUnsafeMutableBufferPointer { l in
            for i in 0..<n {
                let v = Double(scores[base + i]) - slack * Double(norms[base + i])
                l[i] = v.isNaN ? -.infinity : v
            }
            l[0..<n].sort(by: >)
        }
        let kth = lower[keep - 1]
        guard kth > -.infinity else { return }
        // Round down, then lower by an absolute hair (bf16's flushed denormals) and four ulps (the
        // screen's fused compare rounds once).
        var b = Float(kth)
        if Double(b) > kth { b = b.nextDown }
        b -= Float(Double(dimension) * 0x1p-100)
        for _ in 0..<4 { b = b.nextDown }
        guard b > bound[q] else { return }
        bound[q] = b
        let limit = Double(b)
        var kept = 0
        for i in 0..<n where !(Double(scores[base + i]) + slack * Double(norms[base + i]) < limit) {
            scores[base + kept] = scores[base + i]
            rows[base + kept] = rows[base + i]
            norms[base + kept] = norms[base + i]
            kept += 1
        }
        counts[q] = Int64(kept)
    }

    private func grow(to newCap: Int) {
        let s = UnsafeMutablePointer<Float>.allocate(capacity: queryCount * newCap)
        let r = UnsafeMutablePointer<Int64>.allocate(capacity: queryCount * newCap)
        let n = UnsafeMutablePointer<Float>.allocate(capacity: queryCount * newCap)
        for q in 0..<queryCount {
            let c = Int(counts[q])
            (s + q * newCap).update(from: scores + q * cap, count: c)
            (r + q * newCap).update(from: rows + q * cap, count: c)
            (n + q * newCap).update(from: norms + q * cap, count: c)
        }
        scores.deallocate()
        rows.deallocate()
        norms.deallocate()
        scores = s
        rows = r
        norms = n
        cap = newCap
    }

    /// Calls `body` with each candidate of query `q` (bf16 score, row, row norm), in list order.
    func forEachCandidate(of q: Int, _ body: (Float, Int, Float) -> Void) {
        for i in (q * cap)..<(q * cap + Int(counts[q])) { body(scores[i], Int(rows[i]), norms[i]) }
    }

    /// Rescores every query's candidates (rows of `snapshot`) in float against `queries` and
    /// offers them to its heap.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    func finish(snapshot: IndexSnapshot, queries: UnsafePointer<Float>, into heaps: UnsafeMutableBufferPointer<TopKHeap>) {
        for q in 0..<queryCount {
            prune(q)
            let query = queries + q * dimension
            forEachCandidate(of: q) { _, row, _ in
                let chunk = snapshot.chunks[row / FlatIndex.chunkRows]
                let offset = row % FlatIndex.chunkRows
                heaps[q].offer(score: DotKernel.dot(query, chunk.row(offset), dimension: dimension), id: chunk.ids[offset])
            }
        }
    }
}
