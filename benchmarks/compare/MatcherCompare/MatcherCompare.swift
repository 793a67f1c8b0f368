import ArgumentParser
import Foundation
@_spi(Tuning) import Matcher

/// The Matcher side of `compare.py`: loads the same raw float32 files FAISS reads, measures
/// search, the read bandwidth over the same bytes and the `sgemm` peak, and prints JSON.
@main
struct MatcherCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matcher-compare",
        abstract: "Measure Matcher on raw float32 data for the FAISS comparison.",
        subcommands: [Search.self, Limits.self, Tune.self, Persistence.self])
}

struct DataOptions: ParsableArguments {
    @Option(help: "Database rows: raw little-endian float32, n × d.") var base: String
    @Option(help: "Queries: raw little-endian float32, q × d.") var queries: String
    @Option(help: "Dimension.") var dimension: Int

    func load() throws -> (base: [Float], queries: [Float]) {
        (try readFloats(base), try readFloats(queries))
    }
}

func readFloats(_ path: String) throws -> [Float] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
}

/// Builds an inner-product index over `base` with ids 0..<n (rows are already normalised).
func buildIndex(_ base: [Float], dimension d: Int) throws -> FlatIndex {
    let index = try FlatIndex(dimension: d, metric: .innerProduct)
    let n = base.count / d
    var start = 0
    while start < n {
        let end = min(n, start + 65_536)
        let ids = (start..<end).map { UInt64($0) }
        let rows = (start..<end).map { Array(base[($0 * d)..<(($0 + 1) * d)]) }
        try index.upsert(ids: ids, vectors: rows)
        start = end
    }
    return index
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = ContinuousClock.now
    try body()
    return (ContinuousClock.now - t0).seconds
}

extension Duration {
    var seconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) * 1e-18
    }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time exact top-k for batches of queries.")
    @OptionGroup var data: DataOptions
    @Option(help: "k.") var k = 10
    @Option(help: "Batch sizes, comma-separated.") var batches = "1,16,256,4096"
    @Option(help: "Worker threads (OpenBLAS is set to 1 thread unless --blas-threads).") var threads = 1
    @Option(help: "OpenBLAS threads.") var blasThreads = 1
    @Option(help: "Single queries to time (median reported), each beside one timed read pass over the database bytes.")
    var singles = 20
    @Option(help: "Repetitions per batch size (best reported).") var repetitions = 2
    @Option(help: "Rows per sgemm tile (SearchTuning.rowTile; default: matchd's).") var rowTile: Int?
    enum Screen: String, ExpressibleByArgument, CaseIterable { case on, off }
    @Option(help: "Batches through the bf16 screen on AMX tiles: on (matchd's default, where the CPU has AMX) or off (sgemm and small-batch kernels).")
    var screen = Screen.on
    @Option(help: """
        Write the top-k ids each timed path returned to PREFIX-q<batch>.u64 (uint64, rows × k, \
        UInt64.max where fewer came back): for batch 1 the timed single queries, one by one; for \
        every other batch the first `batch` queries as that batch's timed search returned them.
        """) var idsOut: String?

    struct Result: Encodable {
        var batch: Int
        var seconds: Double
        var queriesPerSecond: Double
        var scoringSeconds: Double
        var mergingSeconds: Double
        var scoringGFLOPS: Double
        /// The `sgemm` peak of this thread count on the search's tile shape, measured just
        /// before and after this batch (the better of the two): the machine's clock drifts.
        var sgemmPeakGFLOPS: Double = 0
        /// Per round: the scoring GFLOP/s ÷ the peak measured just before that round's search.
        var scoringShares: [Double]?
        /// Batch 1: every single query's time, in query order, for rounds pooled across processes.
        var singleSeconds: [Double]?
        /// Batch 1: per single query (same order as `singleSeconds`), the time of one read pass
        /// over the same n·d floats timed right beside it (before the even-numbered queries,
        /// after the odd ones) with `readKernel` on the same threads.
        var readSeconds: [Double]?
        /// Batch 1: the read kernel of those passes, the fastest of `ReadKernels` at the start
        /// (best of two passes each).
        var readKernel: String?
    }

    func run() throws {
        let (base, queries) = try data.load()
        let d = data.dimension
        let n = base.count / d, q = queries.count / d
        BLASThreads.count = blasThreads
        let index = try buildIndex(base, dimension: d)
        let snapshot = index.snapshot
        var results = [Result]()
        /// Writes one path's hits for the agreement check.
        func writeIDs(_ hits: [[SearchHit]], batch: Int) throws {
            guard let idsOut else { return }
            var flat = [UInt64](repeating: UInt64.max, count: hits.count * k)
            for (i, row) in hits.enumerated() { for (j, h) in row.prefix(k).enumerated() { flat[i * k + j] = h.id } }
            try flat.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: "\(idsOut)-q\(batch).u64")) }
        }
        for batch in batches.split(separator: ",").compactMap({ Int($0) }) where batch <= q {
            let profile = SearchProfile()
            var tuning = SearchTuning(threads: threads, profile: profile)
            if let rowTile { tuning.rowTile = rowTile }
            tuning.screen = screen == .on
            if batch == 1 {
                var times = [Double](), reads = [Double]()
                var hits = [[SearchHit]]()
                var kernel = ""
                try base.withUnsafeBufferPointer { rows in
                    // The bound beside each query: one read pass over the same bytes with the
                    // fastest read kernel, alternately before and after the query.
                    let pass = ReadPass.fastest(over: rows, threads: threads)
                    kernel = pass.kernelName
                    for i in 0..<min(singles, q) {
                        let query = Array(queries[(i * d)..<((i + 1) * d)])
                        var got = [SearchHit]()
                        if i % 2 == 0 { reads.append(pass.time(over: rows)) }
                        times.append(try seconds { got = try snapshot.search(query, k: k, filter: nil, after: nil, tuning: tuning) })
                        if i % 2 == 1 { reads.append(pass.time(over: rows)) }
                        hits.append(got)
                    }
                }
                try writeIDs(hits, batch: 1)
                let median = times.sorted()[times.count / 2]
                let p = profile.value
                let count = Double(times.count)
                results.append(Result(batch: 1, seconds: median, queriesPerSecond: 1 / median,
                                      scoringSeconds: p.scoringSeconds / count, mergingSeconds: p.mergingSeconds / count,
                                      scoringGFLOPS: 2 * Double(n) * Double(d) / (p.scoringSeconds / count) / 1e9,
                                      singleSeconds: times, readSeconds: reads, readKernel: kernel))
            } else {
                let matrix = try Matrix(rows: batch, columns: d, values: Array(queries[0..<(batch * d)]))
                func peak() -> Double {
                    defer { BLASThreads.count = blasThreads }
                    return BLASPeak.concurrentSGEMM(threads: threads, m: 4096, n: 1024, k: d, repetitions: 3)
                }
                // Rounds of (peak, search): the clock of a shared VM drifts, so each search is
                // set against the peak measured just before it, and the shares are kept per round.
                let flops = 2 * Double(batch) * Double(n) * Double(d)
                var best = Double.infinity
                var bestProfile = SearchProfile.Totals()
                var peaks = [Double](), shares = [Double]()
                for round in 0..<repetitions {
                    let p = peak()
                    profile.reset()
                    var hits = [[SearchHit]]()
                    let t = try seconds { hits = try snapshot.search(queries: matrix, k: k, filter: nil, tuning: tuning) }
                    // Every round runs the same path; results are the same whatever the threads.
                    if round == 0 { try writeIDs(hits, batch: batch) }
                    // Workers run in parallel: per-worker time sums are divided by the thread count.
                    let scoring = profile.value.scoringSeconds / Double(threads)
                    peaks.append(p)
                    shares.append(flops / scoring / 1e9 / p)
                    if t < best {
                        best = t
                        bestProfile = profile.value
                    }
                }
                let scoring = bestProfile.scoringSeconds / Double(threads)
                results.append(Result(batch: batch, seconds: best, queriesPerSecond: Double(batch) / best,
                                      scoringSeconds: scoring, mergingSeconds: bestProfile.mergingSeconds / Double(threads),
                                      scoringGFLOPS: flops / scoring / 1e9,
                                      sgemmPeakGFLOPS: max(peaks.max() ?? 0, peak()), scoringShares: shares))
            }
        }
        try printJSON(["n": n, "d": d, "k": k, "threads": threads, "blasThreads": blasThreads])
        try printJSON(results)
    }
}

struct Limits: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read bandwidth over the database bytes and the sgemm peak.")
    @OptionGroup var data: DataOptions
    @Option(help: "Threads for the bandwidth and sgemm measurements.") var threads = 1

    struct Result: Encodable {
        var readGBps: Double
        var sgemmTileGFLOPS: Double
        var sgemmSquareGFLOPS: Double
        var blas: String
    }

    func run() throws {
        let base = try readFloats(data.base)
        BLASThreads.count = threads
        let bandwidth = base.withUnsafeBufferPointer { ReadPass.gigabytesPerSecond($0, threads: threads, passes: 5) }
        // Search runs one OpenBLAS thread per worker: with more than one thread, the peak is the
        // better of OpenBLAS's threaded sgemm and single-threaded ones side by side.
        var tile = BLASPeak.sgemm(m: 4096, n: 1024, k: data.dimension, repetitions: 5)
        if threads > 1 {
            tile = max(tile, BLASPeak.concurrentSGEMM(threads: threads, m: 4096, n: 1024, k: data.dimension, repetitions: 5))
            BLASThreads.count = threads
        }
        let square = BLASPeak.sgemm(m: 2048, n: 2048, k: 2048, repetitions: 3)
        try printJSON(Result(readGBps: bandwidth, sgemmTileGFLOPS: tile, sgemmSquareGFLOPS: square,
                             blas: BLASThreads.configuration))
    }
}
