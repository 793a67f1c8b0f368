import Dispatch
import Synchronization

/// One search: splits the rows across workers, runs the chosen scan in each, merges the heaps.
///
/// Each worker owns its heaps and score block, so workers share nothing but read-only rows and
/// the claim counter, and the merge (a sort of at most `workers × k` hits per query in the total
/// order) makes the result independent of which worker scored which rows.
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
        let crossover = queryCount == 1 ? tuning.gatherBelowDensity : tuning.batchGatherBelowDensity
        let path = tuning.path ?? (density < crossover ? .gather : .blockScan)
        let align = max(tuning.rowTile, tuning.rowBlock)
        let rowCount = snapshot.rowCount
        // Static split: one contiguous range per worker. Claimed: workers take `rowsPerClaim`
        // rows at a time from a shared counter, so a slow vCPU ends up with less of the work.
        let claim = max(align, tuning.rowsPerClaim / align * align)
        let units = tuning.rowsPerClaim > 0 ? (rowCount + claim - 1) / claim : 0
        let ranges = tuning.rowsPerClaim > 0 ? [] : Self.split(rowCount: rowCount, parts: tuning.threads, alignment: align)
        let workers = tuning.rowsPerClaim > 0 ? min(tuning.threads, units) : ranges.count
        if workers <= 1 {
            var done = false
            return scan(path: path, keep: keep) {
                defer { done = true }
                return done ? nil : 0..<rowCount
            }
        }
        let slots = WorkerSlots(count: workers)
        defer { slots.release() }
        let next = ClaimCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var taken = false
            slots.buffer[w] = scan(path: path, keep: keep) {
                if ranges.isEmpty {
                    let c = next.take()
                    return c < units ? (c * claim)..<min(rowCount, (c + 1) * claim) : nil
                }
                defer { taken = true }
                return taken ? nil : ranges[w]
            }
        }
        var merged = [[SearchHit]]()
        merged.reserveCapacity(queryCount)
        for q in 0..<queryCount {
            var all = [SearchHit]()
            for w in 0..<workers { all.append(contentsOf: slots.buffer[w][q]) }
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

    /// Runs one worker's scan over every range `nextRows` hands it (until `nil`) and returns its
    /// sorted hits per query.
    func scan(path: SearchTuning.Path, keep: Int, nextRows: () -> Range<Int>?) -> [[SearchHit]] {
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
        heaps.withUnsafeMutableBufferPointer { h in
            let scanner = RowScanner(snapshot: snapshot, queries: queries, queryCount: queryCount,
                                     cursors: cursors, tuning: tuning)
            withMaskWords { mask in
                while let rows = nextRows() {
                    switch (path, queryCount) {
                    case (.blockScan, 1): scanner.scanSingle(rows: rows, mask: mask, heap: &h[0])
                    case (.blockScan, _): scanner.scanBatch(rows: rows, mask: mask, heaps: h)
                    case (.gather, 1): scanner.gatherSingle(rows: rows, mask: mask, heap: &h[0])
                    case (.gather, _): scanner.gatherBatch(rows: rows, mask: mask, heaps: h)
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

/// The next claim of rows, shared by the workers of one search.
private final class ClaimCounter: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
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
