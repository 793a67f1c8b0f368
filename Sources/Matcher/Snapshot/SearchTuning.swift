/// The knobs of exact search, each set to the value its measurement chose.
///
/// Benchmarks and the FAISS comparison override them through `@_spi(Tuning)` to measure the
/// alternatives side by side; the service uses `.default`.
@_spi(Tuning) public struct SearchTuning: Sendable, Hashable {
    /// How a block of rows is scored against one query.
    public enum SingleQueryKernel: String, Sendable, Hashable, CaseIterable {
        /// `DotKernel`: Swift SIMD, four rows per query load.
        case simd
        /// OpenBLAS row-major `sgemv` per block.
        case sgemv
        /// OpenBLAS `sgemm` with one query row.
        case sgemm
    }

    /// Which scan a search runs.
    public enum Path: String, Sendable, Hashable {
        /// Score every row block, skip disallowed rows while merging (dense filters).
        case blockScan
        /// Score only allowed rows (sparse filters).
        case gather
    }

    /// Worker threads matchd splits the rows across (each with its own heaps, merged at the end).
    public var threads: Int
    /// Force a path; `nil` chooses by filter density (`gatherBelowDensity`).
    public var path: Path?
    public var singleQueryKernel: SingleQueryKernel
    /// Rows per scored block in the single-query scan (multiple of 64, divides `FlatIndex.chunkRows`).
    public var rowBlock: Int
    /// Rows per `sgemm` tile in batch search (multiple of 64, divides `FlatIndex.chunkRows`).
    public var rowTile: Int
    /// Queries per `sgemm` tile in batch search.
    public var queryTile: Int
    /// Filters allowing less than this fraction of rows take the gather path (one query).
    public var gatherBelowDensity: Double
    /// The same crossover for batches of queries.
    public var batchGatherBelowDensity: Double

    public init(threads: Int = 1, path: Path? = nil, singleQueryKernel: SingleQueryKernel = .simd,
                rowBlock: Int = 256, rowTile: Int = 1024, queryTile: Int = 1024,
                gatherBelowDensity: Double = 0.25, batchGatherBelowDensity: Double = 0.10) {
        self.threads = threads
        self.path = path
        self.singleQueryKernel = singleQueryKernel
        self.rowBlock = rowBlock
        self.rowTile = rowTile
        self.queryTile = queryTile
        self.gatherBelowDensity = gatherBelowDensity
        self.batchGatherBelowDensity = batchGatherBelowDensity
    }

    /// The measured defaults.
    public static let `default` = SearchTuning()

    func validated() -> SearchTuning {
        var t = self
        t.threads = max(1, t.threads)
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

/// OpenBLAS's process-wide thread count, for benchmarks that compare its threading with ours.
@_spi(Tuning) public enum BLASThreads {
    public static var count: Int {
        get { BLASKernel.threads }
        set { BLASKernel.threads = newValue }
    }
    public static var configuration: String { BLASKernel.configuration }
}
