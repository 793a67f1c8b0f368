#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The knobs of exact search, each set to the value its measurement chose.
///
/// Benchmarks and the FAISS comparison override them through `@_spi(Tuning)` to measure the
/// alternatives side by side; the service uses `.default`.
@_spi(Tuning) public struct SearchTuning: Sendable {
    /// How a block of rows is scored against one query.
    public enum SingleQueryKernel: String, Sendable, Hashable, CaseIterable {
        /// `DotKernel`: AVX2 + FMA where the CPU has them, else portable Swift SIMD.
        case simd
        /// `DotKernel`'s portable Swift SIMD loop, whatever the CPU.
        case portable
        /// OpenBLAS row-major `sgemv` per block.
        case sgemv
        /// OpenBLAS `sgemm` with one query row.
        case sgemm
    }

    /// How small batches (`rowsByQueriesUpTo`) are scored. Measured with `matcher-compare tune
    /// --sweeps smallbatch` (n = 1M, d = 256, k = 10, one thread, ms per batch, best of 3 with the
    /// columns interleaved, 2026-12-01 22:05, two runs, OpenBLAS as SkylakeX; the streaming read
    /// bound was about 95 ms), the kernels spreading their prefetch of the next rows over each
    /// block's steps (`matchd_prefetch_spread`):
    ///
    /// | Q   | sgemm, queries × rows | sgemm, rows × queries | AVX2 kernel   | AVX-512 kernel |
    /// |-----|-----------------------|-----------------------|---------------|----------------|
    /// | 2   | 190.5 / 227.3         | 174.2 / 233.2         | 88.2 / 120.9  | 83.8 / 118.6   |
    /// | 4   | 187.1 / 192.4         | 175.6 / 177.2         | 86.7 / 88.4   | 81.5 / 83.4    |
    /// | 8   | 207.7 / 215.3         | 183.8 / 196.7         | 101.5 / 110.6 | 91.0 / 100.5   |
    /// | 16  | 223.7 / 280.9         | 196.5 / 288.8         | 144.2 / 193.5 | 103.8 / 122.4  |
    /// | 32  | 285.1 / 308.5         | 270.6 / 300.1         | 270.5 / 297.6 | 185.7 / 211.9  |
    /// | 64  | 391.9 / 442.1         | 430.9 / 453.0         | 622.8 / 662.6 | 474.6 / 493.1  |
    /// | 128 | 739.9 / 617.7         | 768.3 / 727.7         | 1368.7 / 1197.9 | 1152.9 / 898.9 |
    ///
    /// The kernels read each row once for the whole batch: the AVX-512 one stays near the read
    /// bound up to Q = 16; beyond that they are bound by their FMAs, and past 32 queries (16 with
    /// AVX2 only, a tie at 32) `sgemm`'s blocking wins. So `rowsByQueriesUpTo` is 32 where the CPU
    /// has AVX-512 and 16 elsewhere. (With the prefetch issued in one burst per block, the sweep
    /// at 19:50 had the AVX-512 kernel at 187 ms for Q = 16 and 283 ms for Q = 32, AVX2 at 236
    /// and 376.)
    public enum SmallBatchKernel: String, Sendable, Hashable, CaseIterable {
        /// `DotKernel.batchScores` (each row read once for all queries): AVX-512 where the CPU
        /// has it, else AVX2; `sgemm` without AVX2.
        case simd
        /// The AVX2 kernel even where AVX-512 is available (to measure and test it there).
        case avx2
        /// OpenBLAS `sgemm`, rows × queries.
        case sgemm
    }

    /// How a batch tile's scores are laid out: which operand is OpenBLAS's M.
    public enum TileLayout: String, Sendable, CaseIterable {
        /// queries × rows: each query's scores contiguous (merged 16 at a time).
        case queriesByRows
        /// rows × queries: rows are M, queries N (merged with a stride).
        case rowsByQueries
    }

    /// Which scan a search runs.
    public enum Path: String, Sendable, Hashable {
        /// Score every row block, skip disallowed rows while merging (dense filters).
        case blockScan
        /// Score only allowed rows (sparse filters).
        case gather
    }

    /// Worker threads matchd splits the rows across (each with its own heaps, merged at the end).
    ///
    /// Ours, not OpenBLAS's: OpenBLAS runs one thread (set when the first index is made) and
    /// matchd's workers share out the rows (`rowsPerClaim`; one contiguous range per core when
    /// this table was measured). Measured with
    /// `matcher-compare tune --sweeps threads` (n = 1M, d = 256, k = 10, ms per batch, best of 3,
    /// 2026-11-23, 2 vCPUs, OpenBLAS recognising the CPU):
    ///
    /// | Q    | ours 1, BLAS 1 | ours 2, BLAS 1 (chosen) | ours 1, BLAS 2 |
    /// |------|----------------|-------------------------|----------------|
    /// | 1    | 43.6           | 33.7                    | 45.8           |
    /// | 16   | 273            | 142                     | 153            |
    /// | 256  | 1579           | 822                     | 1154           |
    /// | 4096 | 22843          | 11969                   | 11949          |
    ///
    /// Again on 2026-12-01 20:05, with workers claiming rows (`rowsPerClaim`), the AVX2/AVX-512
    /// kernels and OpenBLAS as SkylakeX:
    ///
    /// | Q    | ours 1, BLAS 1 | ours 2, BLAS 1 (chosen) | ours 1, BLAS 2 |
    /// |------|----------------|-------------------------|----------------|
    /// | 1    | 87.7           | 46.9                    | 86.5           |
    /// | 16   | 173.0          | 91.0                    | 177.3          |
    /// | 256  | 1206.6         | 665.5                   | 853.8          |
    /// | 4096 | 18740.7        | 9771.9                  | 13371.0        |
    ///
    /// Splitting rows ourselves wins or ties at every batch size (by 1.3–1.9× in the second run),
    /// works for matchd's own kernels too (which OpenBLAS cannot thread), and keeps results
    /// identical, bit for bit, whatever the thread count and the claims: each worker's heap is
    /// exact on the rows it scored, merging is by score, then id, and every row is scored in the
    /// same kernel call however the rows are shared out (claims and ranges start on multiples of
    /// the row tile, and gathered tiles are fixed by the filter: `RowScanner.gatherBatch`; the
    /// screen's bf16 pass may group rows either way, since its candidates are rescored one by one). A
    /// float score can depend on its kernel call (the small-batch kernels' row blocks, OpenBLAS's
    /// kernels by shape), so that last point is what keeps real-valued results deterministic.
    public var threads: Int
    /// Rows a worker claims at a time from a shared counter (rounded down to a multiple of the
    /// tiles, at least one tile); 0 splits the rows into one contiguous range per worker instead.
    /// Only matters with more than one worker.
    ///
    /// The second vCPU of a shared VM is often slower than the first, and with one fixed range
    /// each the search waits for the slower one. Measured with `matcher-compare tune --sweeps
    /// claims` (n = 1M, d = 256, k = 10, two workers, ms per batch, best of 5 with the columns
    /// interleaved, 2026-12-01, OpenBLAS as SkylakeX):
    ///
    /// | Q    | one range each | claims of 8 192 | claims of 32 768 (chosen) | claims of 131 072 |
    /// |------|----------------|-----------------|---------------------------|-------------------|
    /// | 1    | 47.7           | 42.5            | 42.9                      | 44.8              |
    /// | 16   | 117.9          | 105.7           | 106.8                     | 108.6             |
    /// | 256  | 649.9          | 632.3           | 611.0                     | 582.3             |
    /// | 4096 | 10687.5        | 11390.8         | 10284.9                   | 10577.7           |
    ///
    /// Claims of 32 768 rows (31 per million) are 4–10 % faster than fixed ranges at every Q.
    public var rowsPerClaim: Int
    /// Force a path; `nil` chooses by filter density (`gatherBelowDensity`).
    public var path: Path?
    public var singleQueryKernel: SingleQueryKernel
    public var smallBatchKernel: SmallBatchKernel
    /// Rows per scored block in the single-query scan (multiple of 64, divides `FlatIndex.chunkRows`).
    public var rowBlock: Int
    /// Rows per `sgemm` tile in batch search (multiple of 64, divides `FlatIndex.chunkRows`).
    ///
    /// Every tile's rows come from memory, and OpenBLAS packs them before its kernel runs
    /// without overlapping that read with arithmetic. So a batch's scoring phase is bounded
    /// below the `sgemm` peak on cached data. Measured with `matcher-compare tune --sweeps
    /// stream` (n = 1M, d = 256, one thread, 2026-12-01, the four quiet rounds of five): `sgemm`
    /// streaming the matrix in tiles of 1,024 rows, nothing else, ran at 84–86 % of the cached
    /// 4096 × 1024 peak at Q = 256 and 87–97 % at Q = 1,024, while one cached 256 × 1024 tile
    /// ran at 93–97 %. No tile size from 256 to 4,096 rows was consistently faster (`--sweeps
    /// tiles --tile-threads 2`, Q = 256: 560–1,000 ms, the spread within each size as wide as
    /// between sizes).
    public var rowTile: Int
    /// Queries per `sgemm` tile in batch search.
    public var queryTile: Int
    /// Batches up to this many queries use `.rowsByQueries` tiles, larger ones `.queriesByRows`.
    public var rowsByQueriesUpTo: Int
    /// Filters allowing less than this fraction of rows take the gather path (one query).
    ///
    /// Measured with `matcher-compare tune --sweeps crossover` (n = 1M, d = 256, k = 10, one
    /// thread, ms, best of 2, random allow-sets, 2026-12-01, AVX2 kernels, OpenBLAS as SkylakeX):
    ///
    /// | allowed | Q=1 scan | Q=1 gather | Q=16 scan | Q=16 gather | Q=256 scan | Q=256 gather |
    /// |---------|----------|------------|-----------|-------------|------------|--------------|
    /// | 90 %    | 75.5     | 97.1       | 161.0     | 219.1       | 1038.3     | 1335.4       |
    /// | 80 %    | 70.8     | 88.6       | 159.5     | 193.5       | 1098.8     | 972.2        |
    /// | 70 %    | 76.0     | 87.8       | 168.1     | 174.9       | 1178.0     | 1094.6       |
    /// | 50 %    | 93.6     | 96.4       | 234.7     | 190.3       | 1334.4     | 795.2        |
    /// | 30 %    | 75.5     | 43.2       | 175.8     | 90.7        | 1298.8     | 340.5        |
    /// | 20 %    | 68.8     | 28.2       | 159.4     | 55.8        | 1045.2     | 224.8        |
    /// | 10 %    | 71.0     | 15.3       | 161.4     | 29.7        | 1049.6     | 117.2        |
    /// | 1 %     | 68.1     | 1.9        | 170.1     | 4.3         | 1114.6     | 13.3         |
    ///
    /// A scan costs the same whatever the filter; a gather costs in proportion to the rows it
    /// scores, but reads them scattered. One query: gather wins below about half the rows (a tie
    /// at 50 %), so 0.4. Batches: the crossover rises with Q (about 0.7 at Q = 16, where the
    /// scan's small-batch kernel is cheap, and 0.85 at Q = 256), so 0.75.
    public var gatherBelowDensity: Double
    /// The same crossover for batches of queries (see `gatherBelowDensity`).
    public var batchGatherBelowDensity: Double
    /// The same crossover for screened batches (`screen`), whose gather screens the copied
    /// rows too. Measured with `matcher-compare tune --sweeps screencrossover` (n = 1M, d = 256,
    /// k = 10, one thread, ms, best of 2, random allow-sets, 2026-12-02 00:08):
    ///
    /// | allowed | Q=32 scan | Q=32 gather | Q=256 scan | Q=256 gather |
    /// |---------|-----------|-------------|------------|--------------|
    /// | 90 %    | 168.5     | 200.5       | 397.1      | 370.3        |
    /// | 70 %    | 132.2     | 151.2       | 240.8      | 256.6        |
    /// | 50 %    | 139.9     | 144.4       | 342.2      | 211.2        |
    /// | 40 %    | 139.7     | 100.6       | 267.2      | 176.3        |
    /// | 30 %    | 134.6     | 76.5        | 266.4      | 198.8        |
    /// | 20 %    | 150.3     | 52.9        | 264.7      | 102.8        |
    /// | 10 %    | 159.1     | 30.9        | 221.5      | 54.4         |
    /// | 2 %     | 112.1     | 6.9         | 169.8      | 24.7         |
    ///
    /// A tie at half the rows for Q = 32, the gather ahead there for Q = 256 (the 90 % row is
    /// within the machine's noise): 0.5. (When the gather still used `sgemm`, at 23:24, it lost to
    /// the screened scan from 20 % of the rows at Q = 256: 264.9 against 236.4 ms.)
    public var screenedGatherBelowDensity: Double

    /// Whether batches are screened in bf16 on the tile units and rescored exactly
    /// (`ScreenKernel`, `ScreenWorker`) wherever the CPU has AMX; `false` keeps them on the
    /// float paths (`sgemm` and the small-batch kernels).
    public var screen: Bool
    /// Batches of at least this many queries are screened (when `screen` allows). Measured with
    /// `matcher-compare tune --sweeps screen` (n = 1M, d = 256, k = 10, one thread, ms per
    /// batch, best of 3 with the columns interleaved, 2026-12-01 23:20, OpenBLAS as SkylakeX;
    /// the screen's own split into screening / exact rescoring in parentheses):
    ///
    /// | Q   | float: small-batch kernel (to 32), then `sgemm` | bf16 screen + exact rescoring |
    /// |-----|-----------------------------|----------------------------|
    /// | 8   | 91.3                        | 107.2 (106.9 / 0.2)        |
    /// | 16  | 111.0                       | 115.2 (114.6 / 0.3)        |
    /// | 24  | 153.9                       | 146.1 (145.1 / 0.6)        |
    /// | 32  | 249.2                       | 170.2 (169.2 / 0.6)        |
    /// | 64  | 425.2                       | 145.3 (143.9 / 1.1)        |
    /// | 128 | 658.8                       | 187.5 (184.9 / 2.1)        |
    /// | 256 | 1117.3                      | 262.5 (257.3 / 4.5)        |
    ///
    /// Up to 16 queries both read the matrix once and tie (the screen converts every row to
    /// bf16 and fills only half its tiles below 32 queries); from 24 the tile units' bf16
    /// products, about 16× the float FMA rate on paper, win by 1.05× at 24, 1.5× at 32 and 4×
    /// at 256. So 24. The rescoring stays under 2 % of the time: a few dozen candidates per
    /// query on this data. Which vCPU and which neighbour share the tile units moves the screen
    /// by up to 2× between runs (a C harness of the same loop: 194–450 ms at Q = 256 in one hour).
    public var screenBatchesFrom: Int

    /// When set, workers add the time they spend scoring and merging to it.
    public var profile: SearchProfile?

    public init(threads: Int = SearchTuning.availableCores, rowsPerClaim: Int = 32_768, path: Path? = nil, singleQueryKernel: SingleQueryKernel = .simd,
                smallBatchKernel: SmallBatchKernel = .simd,
                rowBlock: Int = 256, rowTile: Int = 1024, queryTile: Int = 1024,
                rowsByQueriesUpTo: Int = SearchTuning.smallBatchLimit,
                gatherBelowDensity: Double = 0.4, batchGatherBelowDensity: Double = 0.75,
                screenedGatherBelowDensity: Double = 0.5, screen: Bool = true, screenBatchesFrom: Int = 24,
                profile: SearchProfile? = nil) {
        self.threads = threads
        self.rowsPerClaim = rowsPerClaim
        self.path = path
        self.singleQueryKernel = singleQueryKernel
        self.smallBatchKernel = smallBatchKernel
        self.rowBlock = rowBlock
        self.rowTile = rowTile
        self.queryTile = queryTile
        self.rowsByQueriesUpTo = rowsByQueriesUpTo
        self.gatherBelowDensity = gatherBelowDensity
        self.batchGatherBelowDensity = batchGatherBelowDensity
        self.screenedGatherBelowDensity = screenedGatherBelowDensity
        self.screen = screen
        self.screenBatchesFrom = screenBatchesFrom
        self.profile = profile
    }

    /// The default `rowsByQueriesUpTo`: 32 where the AVX-512 kernel runs, else 16 (see
    /// `SmallBatchKernel`).
    public static let smallBatchLimit: Int = DotKernel.hasAVX512 ? 32 : 16

    /// The measured defaults.
    public static let `default` = SearchTuning()

    /// Online processors: the default worker count.
    public static let availableCores: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    func validated() -> SearchTuning {
        var t = self
        t.threads = max(1, t.threads)
        t.rowsPerClaim = max(0, t.rowsPerClaim)
        func tileSize(_ v: Int) -> Int {
            var s = 64
            while s * 2 <= min(v, FlatIndex.chunkRows) { s *= 2 }
            return s
        }
        t.rowBlock = tileSize(rowBlock)
        t.rowTile = tileSize(rowTile)
        t.queryTile = max(1, queryTile)
        return t
    }
}

/// Time spent in the scoring kernels versus heap merging, summed over workers, for reports
/// ("at Q ≥ 256, scoring runs at ≥ 85 % of the `sgemm` peak").
@_spi(Tuning) public final class SearchProfile: Sendable {
    public struct Totals: Sendable {
        public var scoringSeconds = 0.0
        public var mergingSeconds = 0.0
        public var scoredRows = 0
        public init() {}
    }
    private let totals = Mutex(Totals())
    public init() {}
    public var value: Totals { totals.withLock { $0 } }
    public func reset() { totals.withLock { $0 = Totals() } }
    func add(scoring: Duration, merging: Duration, rows: Int) {
        totals.withLock {
            $0.scoringSeconds += scoring.seconds
            $0.mergingSeconds += merging.seconds
            $0.scoredRows += rows
        }
    }
}

extension Duration {
    var seconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) * 1e-18
    }
}

/// OpenBLAS's process-wide thread count, for benchmarks that compare its threading with ours.
@_spi(Tuning) public enum BLASThreads {
    public static var count: Int {
        get { BLASKernel.threads }
        set { BLASKernel.threads = newValue }
    }
    public static var configuration: String { BLASKernel.configuration }
}
