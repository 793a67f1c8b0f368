import ArgumentParser
import Foundation
@_spi(Tuning) import Matcher

/// Sweeps the design alternatives on seeded random data and prints one table per decision:
/// single-query kernel and block size, threads, row claims, batch tile sizes and layout, the
/// small-batch kernel, the bf16 screen against the float paths, the filter crossover; and two
/// measurements of the limits themselves (`peak`: how the two-thread `sgemm` peak is taken;
/// `stream`: `sgemm` streaming the matrix).
struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure the alternatives behind SearchTuning's defaults.")
    @Option(help: "Rows.") var n = 1_000_000
    @Option(help: "Dimension.") var dimension = 256
    @Option(help: "k.") var k = 10
    @Option(help: "Which sweeps: kernel, threads, claims, tiles, layout, smallbatch, screen, crossover, screencrossover, peak, stream (comma-separated).") var sweeps = "kernel,threads,tiles,crossover"
    @Option(help: "Repetitions (best reported).") var repetitions = 3
    @Option(help: "Batch sizes for the tile sweep.") var tileBatches = "16,256,4096"
    @Option(help: "Worker threads for the tile sweep.") var tileThreads = 1
    @Option(help: "Filter densities for the crossover sweep.") var densities = "0.9,0.8,0.7,0.5,0.3,0.2,0.1,0.05,0.02,0.01"
    @Option(help: "Also write the tables to this Markdown file (e.g. results/search-tuning.md), with the machine and the command.")
    var write: String?

    func run() throws {
        let out = Output()
        defer { if let write { out.save(to: write, command: CommandLine.arguments.dropFirst().joined(separator: " ")) } }
        let d = dimension
        var rng = SplitMix(seed: 42)
        let index = try buildIndex(rng.centered(count: n * d), dimension: d)
        let snapshot = index.snapshot
        let queries = rng.centered(count: 4096 * d)
        let single = Array(queries[0..<d])
        out.line("Data: n=\(n) rows, d=\(d), k=\(k), seeded uniform values; \(BLASThreads.configuration).")

        func best(_ body: () throws -> Void) rethrows -> Double {
            var b = Double.infinity
            for _ in 0..<repetitions { b = min(b, try seconds(body)) }
            return b
        }
        func batch(_ q: Int) throws -> Matrix { try Matrix(rows: q, columns: d, values: Array(queries[0..<(q * d)])) }
        let wanted = Set(sweeps.split(separator: ",").map(String.init))

        if wanted.contains("kernel") {
            out.line("\n## single query: kernel × row block (ms per query, 1 thread)")
            out.line("| kernel | block 128 | block 256 | block 512 | block 1024 |")
            out.line("|---|---|---|---|---|")
            BLASThreads.count = 1
            for kernel in SearchTuning.SingleQueryKernel.allCases {
                var row = "| \(kernel) |"
                for block in [128, 256, 512, 1024] {
                    let t = SearchTuning(threads: 1, singleQueryKernel: kernel, rowBlock: block)
                    row += String(format: " %.1f |", 1000 * (try best { _ = try snapshot.search(single, k: k, filter: nil, after: nil, tuning: t) }))
                }
                out.line(row)
            }
        }
        if wanted.contains("threads") {
            out.line("\n## threads: matchd workers (OpenBLAS 1 thread) vs OpenBLAS threads (ms per batch)")
            out.line("| Q | ours 1 / BLAS 1 | ours 2 / BLAS 1 | ours 1 / BLAS 2 |")
            out.line("|---|---|---|---|")
            for q in [1, 16, 256, 4096] {
                var row = "| \(q) |"
                for (ours, blas) in [(1, 1), (2, 1), (1, 2)] {
                    BLASThreads.count = blas
                    let t = SearchTuning(threads: ours)
                    let ms: Double
                    if q == 1 {
                        ms = 1000 * (try best { _ = try snapshot.search(single, k: k, filter: nil, after: nil, tuning: t) })
                    } else {
                        let m = try batch(q)
                        ms = 1000 * (try best { _ = try snapshot.search(queries: m, k: k, filter: nil, tuning: t) })
                    }
                    row += String(format: " %.1f |", ms)
                }
                out.line(row)
            }
            BLASThreads.count = 1
        }
        if wanted.contains("claims") {
            out.line("\n## two workers: one range each vs rows claimed from a shared counter (ms per batch, OpenBLAS 1 thread)")
            let sizes = [0, 8_192, 32_768, 131_072]
            out.line("| Q |" + sizes.map { $0 == 0 ? " one range each |" : " claims of \($0) |" }.joined())
            out.line("|---|" + String(repeating: "---|", count: sizes.count))
            BLASThreads.count = 1
            for q in [1, 16, 256, 4096] {
                let m = q == 1 ? nil : try batch(q)
                // Interleaved, so that a slow spell of the machine falls on every column.
                var times = [Double](repeating: .infinity, count: sizes.count)
                for _ in 0..<repetitions {
                    for (c, size) in sizes.enumerated() {
                        let t = SearchTuning(threads: 2, rowsPerClaim: size)
                        times[c] = min(times[c], try seconds {
                            if let m { _ = try snapshot.search(queries: m, k: k, filter: nil, tuning: t) }
                            else { _ = try snapshot.search(single, k: k, filter: nil, after: nil, tuning: t) }
                        })
                    }
                }
                out.line("| \(q) |" + times.map { String(format: " %.1f |", 1000 * $0) }.joined())
            }
        }
        if wanted.contains("tiles") {
            out.line("\n## batch tiles: row tile × query tile (ms per batch of Q, \(tileThreads) worker(s), OpenBLAS 1 thread)")
            BLASThreads.count = 1
            for q in tileBatches.split(separator: ",").compactMap({ Int($0) }) {
                let m = try batch(q)
                out.line("\nQ = \(q)\n\n| row tile | q tile 64 | q tile 128 | q tile 256 | q tile 1024 |")
                out.line("|---|---|---|---|---|")
                for rowTile in [256, 512, 1024, 2048, 4096] {
                    var row = "| \(rowTile) |"
                    for qTile in [64, 128, 256, 1024] {
                        let t = SearchTuning(threads: tileThreads, rowTile: rowTile, queryTile: qTile)
                        row += String(format: " %.1f |", 1000 * (try best { _ = try snapshot.search(queries: m, k: k, filter: nil, tuning: t) }))
                    }
                    out.line(row)
                }
            }
        }
        if wanted.contains("layout") {
            out.line("\n## batch tile layout (ms per batch, 1 thread; scoring / merging share)")
            out.line("| Q | queries × rows | rows × queries |")
            out.line("|---|---|---|")
            BLASThreads.count = 1
            for q in tileBatches.split(separator: ",").compactMap({ Int($0) }) {
                let m = try batch(q)
                var row = "| \(q) |"
                for upTo in [0, Int.max] {
                    let profile = SearchProfile()
                    let t = SearchTuning(threads: 1, rowsByQueriesUpTo: upTo, profile: profile)
                    let ms = 1000 * (try best { _ = try snapshot.search(queries: m, k: k, filter: nil, tuning: t) })
                    let p = profile.value
                    row += String(format: " %.1f (score %.0f%%, merge %.0f%%) |", ms,
                                  100 * p.scoringSeconds / (p.scoringSeconds + p.mergingSeconds),
                                  100 * p.mergingSeconds / (p.scoringSeconds + p.mergingSeconds))
                }
                out.line(row)
            }
        }
        if wanted.contains("smallbatch") {
            out.line("\n## small batches: kernel and layout (ms per batch, 1 thread)")
            out.line("| Q | sgemm, queries × rows | sgemm, rows × queries | AVX2 batch kernel | AVX-512 batch kernel (where the CPU has it) |")
            out.line("|---|---|---|---|---|")
            BLASThreads.count = 1
            for q in [2, 4, 8, 16, 32, 64, 128] {
                let m = try batch(q)
                let tunings = [SearchTuning(threads: 1, smallBatchKernel: .sgemm, rowsByQueriesUpTo: 0),
                               SearchTuning(threads: 1, smallBatchKernel: .sgemm, rowsByQueriesUpTo: .max),
                               SearchTuning(threads: 1, smallBatchKernel: .avx2, rowsByQueriesUpTo: .max),
                               SearchTuning(threads: 1, smallBatchKernel: .simd, rowsByQueriesUpTo: .max)]
                // Interleaved, so that a slow spell of the machine falls on every column.
                var times = [Double](repeating: .infinity, count: tunings.count)
                for _ in 0..<repetitions {
                    for (c, t) in tunings.enumerated() {
                        times[c] = min(times[c], try seconds { _ = try snapshot.search(queries: m, k: k, filter: nil, tuning: t) })
                    }
                }
                out.line("| \(q) |" + times.map { String(format: " %.1f |", 1000 * $0) }.joined())
            }
        }
        if wanted.contains("screen") {
            out.line("\n## batches: bf16 screen on AMX tiles vs the float paths (ms per batch, 1 thread; screen: scoring / rescoring ms)")
            out.line("| Q | float (small-batch kernel to 32, then sgemm) | bf16 screen + exact rescoring |")
            out.line("|---|---|---|")
            BLASThreads.count = 1
            for q in tileBatches.split(separator: ",").compactMap({ Int($0) }) {
                let m = try batch(q)
                let profile = SearchProfile()
                let tunings = [SearchTuning(threads: 1, screen: false), SearchTuning(threads: 1, screen: true, screenBatchesFrom: 2, profile: profile)]
                var times = [Double](repeating: .infinity, count: tunings.count)
                var split = (0.0, 0.0)
                for _ in 0..<repetitions {
                    for (c, t) in tunings.enumerated() {
                        profile.reset()
                        let s = try seconds { _ = try snapshot.search(queries: m, k: k, filter: nil, tuning: t) }
                        if s < times[c] {
                            times[c] = s
                            if c == 1 { split = (profile.value.scoringSeconds, profile.value.mergingSeconds) }
                        }
                    }
                }
                out.line(String(format: "| %d | %.1f | %.1f (%.1f / %.1f) |", q, 1000 * times[0], 1000 * times[1],
                             1000 * split.0, 1000 * split.1))
            }
        }
        if wanted.contains("peak") {
            out.line("\n## sgemm peak (GFLOP/s, m=4096 n=1024 k=\(d))")
            for _ in 0..<repetitions {
                let one = BLASPeak.sgemm(m: 4096, n: 1024, k: d, repetitions: 3)
                let two = BLASPeak.concurrentSGEMM(threads: 2, m: 4096, n: 1024, k: d, repetitions: 3, lockstep: false)
                let lockstep = BLASPeak.concurrentSGEMM(threads: 2, m: 4096, n: 1024, k: d, repetitions: 3)
                let t0 = ContinuousClock.now
                let reps = 20
                DispatchQueue.concurrentPerform(iterations: 2) { _ in _ = BLASPeak.sgemm(m: 4096, n: 1024, k: d, repetitions: reps) }
                let wall: Double = (ContinuousClock.now - t0) / .seconds(1)
                let flops: Double = 4 * 4096 * 1024 * Double(d) * Double(reps)
                out.line(String(format: "1t %.0f | 2t sum of independent bests %.0f | 2t lockstep %.0f | 2t wall %.0f", one, two, lockstep, flops / wall / 1e9))
            }
        }
        if wanted.contains("stream") {
            out.line("\n## sgemm on one cached tile vs streamed over all n rows in tiles of 1024 (GFLOP/s, 1 thread)")
            out.line("| Q | peak (4096 × 1024 tile, cached) | Q × 1024 tile, cached | streamed | streamed ÷ peak |")
            out.line("|---|---|---|---|---|")
            BLASThreads.count = 1
            let rows = rng.centered(count: n * d)
            for q in [256, 1024] {
                for _ in 0..<repetitions {
                    let peak = BLASPeak.sgemm(m: 4096, n: 1024, k: d, repetitions: 3)
                    let cached = BLASPeak.sgemm(m: q, n: 1024, k: d, repetitions: 5)
                    let streamed = queries.withUnsafeBufferPointer { qp in
                        rows.withUnsafeBufferPointer { rp in
                            BLASPeak.streamedSGEMM(queries: qp.baseAddress!, queryCount: q, rows: rp.baseAddress!,
                                                   rowCount: n, dimension: d, rowTile: 1024)
                        }
                    }
                    out.line(String(format: "| %d | %.0f | %.0f | %.0f | %.2f |", q, peak, cached, streamed, streamed / peak))
                }
            }
        }
        /// Block scan against gather at each batch size, per filter density (ms, one thread).
        func crossover(_ title: String, batches: [Int], screen: Bool) throws {
            out.line("\n## \(title) (ms, 1 thread)")
            out.line("| allowed |" + batches.map { " Q=\($0) scan | Q=\($0) gather |" }.joined())
            out.line("|---|" + String(repeating: "---|---|", count: batches.count))
            BLASThreads.count = 1
            for density in densities.split(separator: ",").compactMap({ Double($0) }) {
                var frng = SplitMix(seed: 7)
                let filter = snapshot.filter { _ in Double(frng.nextFloat()) < density }
                var row = String(format: "| %.0f%% |", density * 100)
                for q in batches {
                    for path in [SearchTuning.Path.blockScan, .gather] {
                        let t = SearchTuning(threads: 1, path: path, screen: screen, screenBatchesFrom: 2)
                        let ms: Double
                        if q == 1 {
                            ms = 1000 * (try best { _ = try snapshot.search(single, k: k, filter: filter, after: nil, tuning: t) })
                        } else {
                            let m = try batch(q)
                            ms = 1000 * (try best { _ = try snapshot.search(queries: m, k: k, filter: filter, tuning: t) })
                        }
                        row += String(format: " %.1f |", ms)
                    }
                }
                out.line(row)
            }
        }
        if wanted.contains("crossover") {
            try crossover("filter crossover, float paths: gather vs block scan", batches: [1, 16, 256], screen: false)
        }
        if wanted.contains("screencrossover") {
            try crossover("filter crossover for screened batches: screened gather vs screened block scan",
                          batches: [32, 256], screen: true)
        }
    }
}

/// The sweeps' tables as they are printed, kept for `--write`.
final class Output {
    private(set) var text = ""

    func line(_ s: String) {
        print(s)
        text += s + "\n"
    }

    /// Writes the tables under a header naming the machine, the kernels and the command.
    func save(to path: String, command: String) {
        let cpu = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
            .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?
            .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let header = """
            # SearchTuning's measurements

            Written by `matcher-compare \(command)` (benchmarks/compare/MatcherCompare/Tune.swift) on \(cpu), \(cores) \
            cores, \(ISO8601DateFormatter().string(from: Date())). Each table is one decision of `SearchTuning`; the \
            constant in source names its table. Times are the best of the repetitions, in ms.

            """
        do {
            try (header + text).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("cannot write \(path): \(error)\n".utf8))
        }
    }
}

/// SplitMix64, for seeded data without a dependency.
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
    /// `count` values uniform in [-0.5, 0.5): the sweeps' seeded rows and queries.
    mutating func centered(count: Int) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = nextFloat() - 0.5 }
        return values
    }
}
