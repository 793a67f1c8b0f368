import Matcher
import Metrics
import Synchronization

/// Gathers concurrent searches of one catalog into batched passes through Matcher.
///
/// A search runs at once, on its caller's task, while fewer than `lanes` passes are running.
/// Otherwise it waits in a queue; a pass that ends takes the oldest waiting search and every
/// other waiting search of the same snapshot, filter and `k` (up to `maxBatch` queries) and
/// answers them with one `search(queries:)`, a single read of the rows for all of them. So an
/// idle server answers a query alone, at single-query latency, and a loaded one turns its queue
/// into BLAS-shaped batches instead of re-reading the matrix per request. No search waits for a
/// timer unless `gatherWindow` asks for it: then a search that finds a lane free first waits up
/// to that long for others to join it (bounded: it never waits longer, and never for a queue
/// that is already full).
///
/// A query inside a batch may score differently in the last bit from the same query alone (see
/// `IndexSnapshot.search`); each result is otherwise exactly the single query's. Whether it pays,
/// by lanes and window: `benchmarks/results/load-demo.md`, "Coalescing".
final class SearchCoalescer: Sendable {
    /// Passes that may run at once.
    let lanes: Int
    /// The most queries one pass answers.
    let maxBatch: Int
    /// How long a search that finds a lane free waits for others (zero: not at all).
    let gatherWindow: Duration

    private struct Waiting {
        var group: Group
        var snapshot: IndexSnapshot
        var filter: RowFilter?
        var queries: [[Float]]
        var resume: CheckedContinuation<[[SearchHit]], any Error>
    }

    /// What searches must share to be answered in one pass.
    private struct Group: Equatable {
        var snapshot: ObjectIdentifier
        var filterKey: String?
        var k: Int
    }

    private struct State {
        var running = 0
        var queue: [Waiting] = []
    }

    private let state = Mutex(State())
    /// Queries answered and passes run (the batching's effect, for tests and benchmarks).
    private let counters = Mutex((queries: 0, passes: 0))
    /// `matchd_search_pass_queries{index}`: queries per pass.
    private let passSizes: Recorder

    init(index: SearchMetrics.Index, lanes: Int = 1, maxBatch: Int = 64, gatherWindow: Duration = .zero) {
        passSizes = Recorder(label: "matchd_search_pass_queries", dimensions: [("index", index.rawValue)])
        self.lanes = max(1, lanes)
        self.maxBatch = max(1, maxBatch)
        self.gatherWindow = gatherWindow
    }

    /// The top `k` rows of `snapshot` for each of `queries` (non-zero vectors of its dimension),
    /// restricted to `filter`, which `filterKey` names (equal keys for one snapshot must mean
    /// equal filters: the batch uses the first one's).
    func search(_ queries: [[Float]], k: Int, filter: RowFilter?, filterKey: String?,
                in snapshot: IndexSnapshot) async throws(MatcherError) -> [[SearchHit]] {
        if queries.isEmpty { return [] }
        let group = Group(snapshot: ObjectIdentifier(snapshot), filterKey: filterKey, k: k)
        let runNow = state.withLock { s in
            guard s.running < lanes else { return false }
            s.running += 1
            return true
        }
        do {
            if runNow {
                if gatherWindow > .zero, let gathered = try await gather(queries, group: group, snapshot: snapshot,
                                                                         filter: filter) {
                    return gathered
                }
                defer { laneFreed() }
                return try pass(queries, snapshot: snapshot, filter: filter, k: k)
            }
            return try await withCheckedThrowingContinuation { resume in
                state.withLock { s in
                    s.queue.append(Waiting(group: group, snapshot: snapshot, filter: filter, queries: queries, resume: resume))
                }
                // A lane may have freed between the check and the append: make sure someone drains.
                startDrainIfIdle()
            }
        } catch let error as MatcherError {
            throw error
        } catch {
            preconditionFailure("a search pass throws MatcherError only, got \(error)")
        }
    }

    /// `(queries answered, passes run)` since start.
    var totals: (queries: Int, passes: Int) { counters.withLock { $0 } }

    // MARK: Passes

    private func pass(_ queries: [[Float]], snapshot: IndexSnapshot, filter: RowFilter?, k: Int) throws(MatcherError)
        -> [[SearchHit]] {
        counters.withLock { $0.queries += queries.count; $0.passes += 1 }
        passSizes.record(queries.count)
        if queries.count == 1 { return [try snapshot.search(queries[0], k: k, filter: filter)] }
        return try snapshot.search(queries: try Matrix(rowVectors: queries), k: k, filter: filter)
    }

    /// Waits `gatherWindow` holding a lane, then answers `queries` together with whatever of
    /// their group queued meanwhile; `nil` when nothing joined (the caller runs alone).
    private func gather(_ queries: [[Float]], group: Group, snapshot: IndexSnapshot,
                        filter: RowFilter?) async throws(MatcherError) -> [[SearchHit]]? {
        try? await Task.sleep(for: gatherWindow)
        let room = maxBatch - queries.count
        let joined = room > 0 ? state.withLock { s in take(group, from: &s, room: room) } : []
        if joined.isEmpty { return nil }
        defer { laneFreed() }
        let all = queries + joined.flatMap(\.queries)
        let results: [[SearchHit]]
        do { results = try pass(all, snapshot: snapshot, filter: filter, k: group.k) } catch {
            for w in joined { w.resume.resume(throwing: error) }
            throw error
        }
        answer(joined, from: results, offset: queries.count)
        return Array(results.prefix(queries.count))
    }

    /// A lane's pass ended: hand the lane to a drain of the queue, or free it.
    private func laneFreed() {
        let next = state.withLock { s -> [Waiting] in
            guard let first = s.queue.first else {
                s.running -= 1
                return []
            }
            return take(first.group, from: &s, room: maxBatch)
        }
        if !next.isEmpty { Task { self.drain(next) } }
    }

    /// Starts a drain when searches wait and no lane runs (the race `search` closes).
    private func startDrainIfIdle() {
        let next = state.withLock { s -> [Waiting] in
            guard s.running < lanes, let first = s.queue.first else { return [] }
            s.running += 1
            return take(first.group, from: &s, room: maxBatch)
        }
        if !next.isEmpty { Task { self.drain(next) } }
    }

    /// Answers batches from the queue until it is empty, then frees the lane.
    private func drain(_ first: [Waiting]) {
        var batch = first
        while !batch.isEmpty {
            let head = batch[0]
            do {
                let results = try pass(batch.flatMap(\.queries), snapshot: head.snapshot, filter: head.filter, k: head.group.k)
                answer(batch, from: results, offset: 0)
            } catch {
                for w in batch { w.resume.resume(throwing: error) }
            }
            batch = state.withLock { s -> [Waiting] in
                guard let first = s.queue.first else {
                    s.running -= 1
                    return []
                }
                return take(first.group, from: &s, room: maxBatch)
            }
        }
    }

    /// Removes and returns the waiting searches of `group`, oldest first, while their queries fit `room`.
    private func take(_ group: Group, from s: inout State, room: Int) -> [Waiting] {
        var taken: [Waiting] = []
        var left = room
        s.queue.removeAll { w in
            guard w.group == group, w.queries.count <= left || taken.isEmpty else { return false }
            left -= w.queries.count
            taken.append(w)
            return true
        }
        return taken
    }

    private func answer(_ waiting: [Waiting], from results: [[SearchHit]], offset: Int) {
        var at = offset
        for w in waiting {
            w.resume.resume(returning: Array(results[at..<(at + w.queries.count)]))
            at += w.queries.count
        }
    }
}
