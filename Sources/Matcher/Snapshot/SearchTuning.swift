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

    /// How small batches (`rowsByQueriesUpTo`) are scored. matchd's kernels read each row once for
    /// the whole batch and stay near the read bound while the FMAs keep up; past that `sgemm`'s
    /// blocking wins: at 32 queries with AVX-512, 16 with AVX2 only (`smallBatchLimit`).
    /// Measurement: `benchmarks/results/search-tuning.md`, "small batches" (`tune --sweeps smallbatch`).
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
    /// matchd's workers share out the rows (`rowsPerClaim`). Splitting rows ourselves wins at every
    /// batch size, works for matchd's own kernels too (which OpenBLAS cannot thread), and keeps
    /// results identical, bit for bit, whatever the thread count: each worker's heap is exact on
    /// the rows it scored, merging is by score, then id, and every row is scored in the same kernel
    /// call however the rows are shared out (claims and ranges start on multiples of the row tile;
    /// gathered tiles are fixed by the filter, `RowScanner.gatherBatch`; the screen's candidates
    /// are rescored one by one). Measurement: `benchmarks/results/search-tuning.md`, "threads" (`tune --sweeps threads`).
    public var threads: Int
    /// Rows a worker claims at a time from a shared counter (rounded down to a multiple of the
    /// tiles, at least one tile); 0 splits the rows into one contiguous range per worker instead.
    /// Only matters with more than one worker.
    ///
    /// The second vCPU of a shared VM is often slower than the first, and with one fixed range
    /// each the search waits for the slower one; claims of 32 768 rows are the fastest or within
    /// the noise at every Q. Measurement: `benchmarks/results/search-tuning.md`, "two workers" (`tune --sweeps claims`).
    public var rowsPerClaim: Int
    /// Force a path; `nil` chooses by filter density (`gatherBelowDensity`).
    public var path: Path?
    /// `simd` in blocks of 256 rows is the fastest single-query scan. Measurement: `benchmarks/results/search-tuning.md`,
    /// "single query" (`tune --sweeps kernel`).
    public var singleQueryKernel: SingleQueryKernel
    public var smallBatchKernel: SmallBatchKernel
    /// Rows per scored block in the single-query scan (multiple of 64, divides `FlatIndex.chunkRows`).
    public var rowBlock: Int
    /// Rows per `sgemm` tile in batch search (multiple of 64, divides `FlatIndex.chunkRows`).
    ///
    /// Every tile's rows come from memory, and OpenBLAS packs them before its kernel runs without
    /// overlapping that read with arithmetic, so a batch's scoring runs below the cached `sgemm`
    /// peak (the "sgemm on one cached tile vs streamed" table). No tile size from 256 to 4,096 rows
    /// is consistently faster: the spread between runs is as wide as between sizes. Measurement:
    /// `benchmarks/results/search-tuning.md`, "batch tiles" (`tune --sweeps tiles`).
    public var rowTile: Int
    /// Queries per `sgemm` tile in batch search.
    public var queryTile: Int
    /// Batches up to this many queries use `.rowsByQueries` tiles, larger ones `.queriesByRows`.
    /// Measurement: `benchmarks/results/search-tuning.md`, "batch tile layout" and "small batches".
    public var rowsByQueriesUpTo: Int
    /// Filters allowing less than this fraction of rows take the gather path (one query).
    ///
    /// A scan costs the same whatever the filter; a gather costs in proportion to the rows it
    /// scores, but reads them scattered. One query: the gather wins at half the rows and below,
    /// loses from 70 % (0.4 keeps a margin). Batches: the crossover moves with Q (about 0.4 at
    /// Q = 16, above 0.9 at Q = 256), so 0.75. Measurement: `benchmarks/results/search-tuning.md`, "filter crossover"
    /// (`tune --sweeps crossover`).
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
