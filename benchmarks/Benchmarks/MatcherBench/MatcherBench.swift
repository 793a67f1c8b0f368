import Benchmark
import HeapModule
@_spi(Tuning) import Matcher
import Synchronization

// Matcher's search benchmarks. Names carry their parameters so that each fast path lines up
// with its peer in the same run:
//   search/flat …            FlatIndex over N × d rows, Q queries, top-k, a filter, 1 or 2 threads
//   search/reference …       the naive loop + full sort (Q = 1), the oracle of the tests
//   memory/stream-read …     one streaming pass over the same bytes: the memory bound
//   topk/matcher-heap …      top-k of 1M precomputed scores with the search's heap
//   topk/collections-heap …  the same with swift-collections' Heap
// The full grid takes about 40 minutes; pick rows with `--filter`, e.g.
//   swift package benchmark --target MatcherBench --filter "n=100k"
// The FAISS comparison with ratios is benchmarks/compare/run.

// Allocations: a warm search allocates a fixed handful of buffers, whatever the row count, never
// a buffer per row block or per claim. Measured with `mallocCountTotal` (2026-12-02, Q = 1,
// k = 10, n = 100k and 1M alike): 8 with one worker (the cursor list, the row sharing, the heap
// storage and the heap list, the worker's scratch, the result arrays); 18-22 with two (each
// worker's own, the merge, and Dispatch's `concurrentPerform`, which varies run to run). Zero is
// out of reach for an API that returns arrays of hits; a count that grew with n would be a bug.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                           warmupIterations: 1, maxDuration: .seconds(2), maxIterations: 20)

    for n in [100_000, 1_000_000] {
        for d in [128, 256] {
            let label = "n=\(n / 1000 >= 1000 ? "\(n / 1_000_000)M" : "\(n / 1000)k") d=\(d)"
            Benchmark("memory/stream-read \(label)") { b in
                let data = Datasets.shared.data(n: n, d: d)
                b.startMeasurement()
                for _ in b.scaledIterations { blackHole(data.base.reduce(into: Float(0)) { $0 += $1 }) }
            }
            for k in [10, 100] {
                Benchmark("search/reference \(label) Q=1 k=\(k)",
                          configuration: .init(maxDuration: .seconds(2), maxIterations: 3)) { b in
                    let data = Datasets.shared.data(n: n, d: d)
                    b.startMeasurement()
                    for _ in b.scaledIterations { blackHole(data.reference.search(data.query(0), k: k)) }
                }
                for q in [1, 16, 256, 4096] {
                    for selectivity in [100, 10, 1] {
                        for threads in [1, 2] {
                            let name = "search/flat \(label) Q=\(q) k=\(k) filter=\(selectivity)% threads=\(threads)"
                            let heavy = q * n >= 256 * 1_000_000
                            Benchmark(name, configuration: .init(maxDuration: .seconds(heavy ? 1 : 2),
                                                                 maxIterations: heavy ? 1 : 20)) { b in
                                let data = Datasets.shared.data(n: n, d: d)
                                let filter = data.filter(percent: selectivity)
                                let tuning = SearchTuning(threads: threads)
                                let queries = data.queries(q)
                                let single = data.query(0)
                                b.startMeasurement()
                                for _ in b.scaledIterations {
                                    if q == 1 {
                                        blackHole(try data.snapshot.search(single, k: k, filter: filter, after: nil, tuning: tuning))
                                    } else {
                                        blackHole(try data.snapshot.search(queries: queries, k: k, filter: filter, tuning: tuning))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    for k in [10, 100, 1000] {
        Benchmark("topk/matcher-heap n=1M k=\(k)") { b in
            let s = Datasets.shared.scores
            b.startMeasurement()
            for _ in b.scaledIterations { blackHole(TopKSelection.select(scores: s.scores, ids: s.ids, k: k)) }
        }
        Benchmark("topk/collections-heap n=1M k=\(k)") { b in
            let s = Datasets.shared.scores
            b.startMeasurement()
            for _ in b.scaledIterations { blackHole(collectionsTopK(scores: s.scores, ids: s.ids, k: k)) }
        }
    }
}

/// Top-k with swift-collections' min-heap of the k best, in the same result order.
func collectionsTopK(scores: [Float], ids: [UInt64], k: Int) -> [SearchHit] {
    struct Item: Comparable {
        var score: Float
        var id: UInt64
        // "Smaller" = worse: lower score, or equal score and higher id.
        static func < (a: Item, b: Item) -> Bool { a.score < b.score || (a.score == b.score && a.id > b.id) }
    }
    var heap = Heap<Item>()
    for i in scores.indices {
        let item = Item(score: scores[i], id: ids[i])
        if heap.count < k {
            heap.insert(item)
        } else if heap.min! < item {
            _ = heap.replaceMin(with: item)
        }
    }
    return heap.unordered.sorted { $1 < $0 }.map { SearchHit(id: $0.id, score: $0.score) }
}

/// Seeded data sets, built once per (n, d) and shared by the benchmarks that use them.
final class Datasets: Sendable {
    static let shared = Datasets()

    final class Data: Sendable {
        let d: Int
        let base: [Float]
        let queryValues: [Float]
        let index: FlatIndex
        let snapshot: IndexSnapshot
        let reference: ReferenceIndex
        let filters: [Int: RowFilter]

        init(n: Int, d: Int) {
            var rng = SplitMix(seed: UInt64(n * 1000 + d))
            let values = (0..<(n * d)).map { _ in rng.nextFloat() - 0.5 }
            base = values
            queryValues = (0..<(4096 * d)).map { _ in rng.nextFloat() - 0.5 }
            self.d = d
            let flat = try! FlatIndex(dimension: d, metric: .innerProduct)
            var start = 0
            while start < n {
                let end = min(n, start + 65_536)
                try! flat.upsert(ids: (start..<end).map { UInt64($0) },
                                 vectors: (start..<end).map { Array(values[($0 * d)..<(($0 + 1) * d)]) })
                start = end
            }
            index = flat
            let snap = flat.snapshot
            snapshot = snap
            reference = ReferenceIndex(dimension: d, metric: .innerProduct, ids: (0..<n).map { UInt64($0) }, values: values)
            var filters: [Int: RowFilter] = [:]
            for percent in [10, 1] {
                var frng = SplitMix(seed: UInt64(percent))
                filters[percent] = snap.filter { _ in frng.next() % 100 < UInt64(percent) }
            }
            self.filters = filters
        }

        func query(_ i: Int) -> [Float] { Array(queryValues[(i * d)..<((i + 1) * d)]) }
        func queries(_ q: Int) -> Matrix { try! Matrix(rows: q, columns: d, values: Array(queryValues[0..<(q * d)])) }
        func filter(percent: Int) -> RowFilter? { percent == 100 ? nil : filters[percent] }
    }

    struct Scores: Sendable {
        let scores: [Float]
        let ids: [UInt64]
    }

    private let cache = Mutex<[Int: Data]>([:])
    let scores: Scores = {
        var rng = SplitMix(seed: 7)
        return Scores(scores: (0..<1_000_000).map { _ in rng.nextFloat() }, ids: (0..<1_000_000).map { UInt64($0) })
    }()

    func data(n: Int, d: Int) -> Data {
        cache.withLock { cache in
            if let hit = cache[n * 100_000 + d] { return hit }
            cache.removeAll() // one data set in memory at a time
            let made = Data(n: n, d: d)
            cache[n * 100_000 + d] = made
            return made
        }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
