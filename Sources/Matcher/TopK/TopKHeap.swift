/// A bounded heap keeping the `k` best (score, id) pairs seen, in matchd's result order
/// (score descending, then id ascending).
///
/// The root is the worst kept pair, and `threshold` caches its score once the heap is full,
/// so the common case (a candidate below the threshold) costs one comparison, as in FAISS's
/// `HeapBlockResultHandler`. The heap owns no storage: the caller hands it two buffers of `k`
/// elements (a search worker allocates them once per search, for all its queries' heaps).
struct TopKHeap {
    let k: Int
    private(set) var count: Int = 0
    /// Scores below this cannot enter; `-infinity` until the heap is full.
    private(set) var threshold: Float = -.infinity
    private let scores: UnsafeMutablePointer<Float>
    private let ids: UnsafeMutablePointer<UInt64>

    /// - Precondition: both buffers hold at least `k` elements and outlive the heap.
    /// - Warning: Pointers are used only while the heap is; nothing is retained.
    init(k: Int, scores: UnsafeMutablePointer<Float>, ids: UnsafeMutablePointer<UInt64>) {
        precondition(k >= 1)
        self.k = k
        self.scores = scores
        self.ids = ids
    }

    /// Offers a candidate; callers may skip it cheaply when `score < threshold`.
    /// - Complexity: O(log k) when it enters, O(1) otherwise.
    @inline(__always)
    mutating func offer(score: Float, id: UInt64) {
        if count < k {
            siftUp(score: score, id: id, from: count)
            count += 1
            if count == k { threshold = scores[0] }
        } else if ranksBefore(score, id, scores[0], ids[0]) {
            siftDown(score: score, id: id)
            threshold = scores[0]
        }
    }

    /// `a` is worse than `b` in result order (the heap keeps the worst at the root).
    @inline(__always)
    private func worse(_ sa: Float, _ ia: UInt64, _ sb: Float, _ ib: UInt64) -> Bool {
        ranksBefore(sb, ib, sa, ia)
    }

    @inline(__always)
    private mutating func siftUp(score: Float, id: UInt64, from start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) >> 1
            guard worse(score, id, scores[parent], ids[parent]) else { break }
            scores[i] = scores[parent]
            ids[i] = ids[parent]
            i = parent
        }
        scores[i] = score
        ids[i] = id
    }

    /// Replaces the root with (score, id) and restores the heap.
    @inline(__always)
    private mutating func siftDown(score: Float, id: UInt64) {
        var i = 0
        let n = count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var c = l
            let r = l + 1
            if r < n && worse(scores[r], ids[r], scores[l], ids[l]) { c = r }
            guard worse(scores[c], ids[c], score, id) else { break }
            scores[i] = scores[c]
            ids[i] = ids[c]
            i = c
        }
        scores[i] = score
        ids[i] = id
    }

    /// The kept pairs in result order. Leaves the heap's storage in sorted order.
    func sortedHits() -> [SearchHit] {
        var out = [SearchHit]()
        out.reserveCapacity(count)
        for i in 0..<count { out.append(SearchHit(id: ids[i], score: scores[i])) }
        out.sort { ranksBefore($0.score, $0.id, $1.score, $1.id) }
        return out
    }

    /// Checks the heap property (debug builds and tests).
    func _checkInvariants() {
        for i in 1..<max(1, count) {
            let p = (i - 1) >> 1
            precondition(!worse(scores[i], ids[i], scores[p], ids[p]), "heap order broken at \(i)")
        }
        if count == k { precondition(threshold == scores[0], "stale threshold") }
    }
}

/// Top-k selection over a score array with the search path's heap, for the benchmark that
/// compares it with swift-collections' `Heap` on the same scores.
@_spi(Tuning) public enum TopKSelection {
    /// The `k` best `(scores[i], ids[i])` in result order.
    public static func select(scores: [Float], ids: [UInt64], k: Int) -> [SearchHit] {
        precondition(scores.count == ids.count && k >= 1)
        let keep = min(k, scores.count)
        guard keep > 0 else { return [] }
        let s = UnsafeMutablePointer<Float>.allocate(capacity: keep)
        let i = UnsafeMutablePointer<UInt64>.allocate(capacity: keep)
        defer {
            s.deallocate()
            i.deallocate()
        }
        var heap = TopKHeap(k: keep, scores: s, ids: i)
        scores.withUnsafeBufferPointer { sc in
            ids.withUnsafeBufferPointer { id in
                RowScanner.merge(scores: sc.baseAddress!, count: sc.count, ids: id.baseAddress!, mask: nil, cursor: nil, into: &heap)
            }
        }
        return heap.sortedHits()
    }
}
