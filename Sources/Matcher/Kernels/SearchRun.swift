import Dispatch
import Synchronization

/// One search: splits the rows across workers, runs the chosen scan in each, merges the heaps.
///
/// Each worker owns its heaps and score block, so workers share nothing but read-only rows and
/// the claim counter, and the merge (a sort of at most `workers × k` hits per query in the total
/// order) makes the result independent of which worker scored which rows. Rows are grouped
/// into kernel calls the same way whatever the split (see `SearchTuning.threads`), so the
/// scores themselves do not depend on it either.
struct SearchRun: @unchecked Sendable {
    // @unchecked Sendable: workers only read `queries`, the snapshot and the mask (all immutable
    // during the run); each writes only its own result slot.
    let snapshot: IndexSnapshot
    let queries: UnsafePointer<Float>
    let queryCount: Int
    let k: Int
    let mask: RowFilter?
    let cursors: [SearchCursor?]?
    let tuning: SearchTuning

    func results() -> [[SearchHit]] {
        let allowed = mask?.count ?? snapshot.rowCount
        guard allowed > 0 else { return Array(repeating: [], count: queryCount) }
        let keep = min(k, allowed)
        let density = Double(allowed) / Double(snapshot.rowCount)
        let screening = queryCount > 1 && ScreenKernel.chosen(queryCount: queryCount, keep: keep, tuning: tuning)
        let crossover = queryCount == 1 ? tuning.gatherBelowDensity
            : screening ? tuning.screenedGatherBelowDensity : tuning.batchGatherBelowDensity
        let path = tuning.path ?? (density < crossover ? .gather : .blockScan)
        let screen = screening ? ScreenQueries(queries: queries, count: queryCount, dimension: snapshot.dimension) : nil
        let sharing = RowSharing(rowCount: snapshot.rowCount, threads: tuning.threads, rowsPerClaim: tuning.rowsPerClaim,
                                 alignment: max(tuning.rowTile, tuning.rowBlock))
        if sharing.workers == 1 { return scan(path: path, screen: screen, keep: keep, sharing: sharing, worker: 0) }
        let slots = WorkerSlots(count: sharing.workers)
        defer { slots.release() }
        DispatchQueue.concurrentPerform(iterations: sharing.workers) { w in
            slots.buffer[w] = scan(path: path, screen: screen, keep: keep, sharing: sharing, worker: w)
        }
        var merged = [[SearchHit]]()
        merged.reserveCapacity(queryCount)
        for q in 0..<queryCount {
            var all = [SearchHit]()
            for w in 0..<sharing.workers { all.append(contentsOf: slots.buffer[w][q]) }
            all.sort { ranksBefore($0.score, $0.id, $1.score, $1.id) }
            merged.append(Array(all.prefix(keep)))
        }
        return merged
    }

    /// Contiguous row ranges, one per worker, with inner boundaries on multiples of `alignment`.
    static func split(rowCount: Int, parts: Int, alignment: Int) -> [Range<Int>] {
        let units = (rowCount + alignment - 1) / alignment
        let n = max(1, min(parts, units))
        var out = [Range<Int>]()
        var start = 0
        for p in 0..<n {
            let endUnit = units * (p + 1) / n
            let end = min(rowCount, endUnit * alignment)
            out.append(start..<end)
            start = end
        }
        return out
    }

    /// Runs worker `worker`'s scan over every range `sharing` hands it and returns its sorted
    /// hits per query; with `screen`, a screened scan or gather (`ScreenWorker`).
    func scan(path: SearchTuning.Path, screen: ScreenQueries?, keep: Int, sharing: RowSharing,
              worker: Int) -> [[SearchHit]] {
        let heapScores = UnsafeMutablePointer<Float>.allocate(capacity: queryCount * keep)
        let heapIDs = UnsafeMutablePointer<UInt64>.allocate(capacity: queryCount * keep)
        defer {
            heapScores.deallocate()
            heapIDs.deallocate()
        }
        var heaps = [TopKHeap]()
        heaps.reserveCapacity(queryCount)
        for q in 0..<queryCount {
            heaps.append(TopKHeap(k: keep, scores: heapScores + q * keep, ids: heapIDs + q * keep))
        }
        let scratch = ScanScratch(path: path, screened: screen != nil, queryCount: queryCount,
                                  dimension: snapshot.dimension, tuning: tuning)
        defer { scratch.release() }
        heaps.withUnsafeMutableBufferPointer { h in
            let scanner = RowScanner(snapshot: snapshot, queries: queries, queryCount: queryCount,
                                     cursors: cursors, tuning: tuning, scratch: scratch)
            withMaskWords { mask in
                if let screen {
                    let screening = ScreenWorker(dimension: snapshot.dimension, queryCount: queryCount, keep: keep,
                                                 packed: screen)
                    var taken = 0
                    while let rows = sharing.rows(for: worker, taken: taken) {
                        taken += 1
                        switch path {
                        case .blockScan: scanner.screenBatch(rows: rows, mask: mask, worker: screening)
                        case .gather: scanner.gatherScreened(rows: rows, mask: mask, worker: screening)
                        }
                    }
                    var watch = Stopwatch(enabled: tuning.profile != nil)
                    screening.finish(snapshot: snapshot, queries: queries, into: h)
                    watch.lap(scoring: false)
                    watch.report(to: tuning.profile)
                    return
                }
                var taken = 0
                var allowedBefore = AllowedRowCount()
                while let rows = sharing.rows(for: worker, taken: taken) {
                    taken += 1
                    switch (path, queryCount) {
                    case (.blockScan, 1): scanner.scanSingle(rows: rows, mask: mask, heap: &h[0])
                    case (.blockScan, _): scanner.scanBatch(rows: rows, mask: mask, heaps: h)
                    case (.gather, 1): scanner.gatherSingle(rows: rows, mask: mask, heap: &h[0])
                    case (.gather, _): scanner.gatherBatch(rows: rows, mask: mask, allowedBefore: &allowedBefore, heaps: h)
                    }
                }
            }
        }
        return heaps.map { $0.sortedHits() }
    }

    /// Calls `body` with the mask's words, or `nil` when every row is allowed.
    /// Do not escape the pointer from the closure.
    private func withMaskWords<R>(_ body: (UnsafePointer<UInt64>?) -> R) -> R {
        guard let mask else { return body(nil) }
        return mask.withUnsafeWords { body($0.baseAddress) }
    }
}

/// How the workers of one search share out the rows: claims of `rowsPerClaim` rows taken from a
/// shared counter (a slow vCPU then ends up with less of the work), or with `rowsPerClaim` = 0
/// one fixed contiguous range each (`SearchRun.split`). A single worker gets every row at once.
final class RowSharing: Sendable {
    let workers: Int
    /// One range per worker, or empty when the rows are claimed.
    private let fixed: [Range<Int>]
    private let rowCount: Int
    private let claim: Int
    private let claims: Int
    private let next = Atomic<Int>(0)

    init(rowCount: Int, threads: Int, rowsPerClaim: Int, alignment: Int) {
        self.rowCount = rowCount
        claim = max(alignment, rowsPerClaim / alignment * alignment)
        claims = (rowCount + claim - 1) / claim
        if rowsPerClaim > 0, min(threads, claims) > 1 {
            workers = min(threads, claims)
            fixed = []
        } else {
            fixed = rowsPerClaim > 0 ? [0..<rowCount] : SearchRun.split(rowCount: rowCount, parts: threads, alignment: alignment)
            workers = fixed.count
        }
    }

    /// The next rows for `worker`, which has already been handed `taken` ranges; `nil` when done.
    func rows(for worker: Int, taken: Int) -> Range<Int>? {
        guard fixed.isEmpty else { return taken == 0 ? fixed[worker] : nil }
        let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return c < claims ? (c * claim)..<min(rowCount, (c + 1) * claim) : nil
    }
}

/// One result slot per worker.
private struct WorkerSlots: @unchecked Sendable {
    // @unchecked Sendable: worker w writes only buffer[w]; the caller reads after all joined.
    let buffer: UnsafeMutableBufferPointer<[[SearchHit]]>
    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: [])
    }
    func release() { buffer.deinitialize().deallocate() }
}
