@testable @_spi(Tuning) import Matcher
import Synchronization
import TestSupport
import Testing

/// On real-valued data the kernels round, and a score may depend on how the rows were grouped
/// into kernel calls. The worker count and the claims are chosen at run time (cores online, a
/// slow vCPU), so each path's answer must be bit-identical — ids and `Float` scores — however
/// the rows are shared out and whatever the row tiles and blocks.
@Suite struct DeterminismTests {
    static let n = 9000

    /// The ways of sharing out rows, each applied on top of one path's settings, grouped by
    /// their row tiles and blocks.
    static let sharings: [(name: String, tiles: Int, settings: @Sendable (inout SearchTuning) -> Void)] = [
        ("1 thread", 0, { $0.threads = 1 }),
        ("2 threads, default claims", 0, { $0.threads = 2 }),
        ("2 threads, claims of one tile", 0, { $0.threads = 2; $0.rowsPerClaim = 1024 }),
        ("2 threads, one range each", 0, { $0.threads = 2; $0.rowsPerClaim = 0 }),
        ("3 threads, one range each", 0, { $0.threads = 3; $0.rowsPerClaim = 0 }),
        ("1 thread, tiles of 64", 64, { $0.threads = 1; $0.rowBlock = 64; $0.rowTile = 64 }),
        ("2 threads, claims of 128 rows, tiles of 64", 64, {
            $0.threads = 2; $0.rowsPerClaim = 128; $0.rowBlock = 64; $0.rowTile = 64
        }),
        ("3 threads, claims of one tile of 64", 64, {
            $0.threads = 3; $0.rowsPerClaim = 1; $0.rowBlock = 64; $0.rowTile = 64
        }),
        ("2 threads, one range each, tiles of 64", 64, {
            $0.threads = 2; $0.rowsPerClaim = 0; $0.rowBlock = 64; $0.rowTile = 64
        }),
        ("1 thread, tiles of 4096", 4096, { $0.threads = 1; $0.rowBlock = 4096; $0.rowTile = 4096 }),
        ("2 threads, claims of one tile of 4096", 4096, {
            $0.threads = 2; $0.rowsPerClaim = 1; $0.rowBlock = 4096; $0.rowTile = 4096
        }),
    ]

    struct Path: Sendable, CustomTestStringConvertible {
        let name: String
        let queries: Int
        /// Fraction of rows allowed; 1 = no filter.
        let density: Double
        let settings: @Sendable (inout SearchTuning) -> Void
        var needsScreen = false
        /// OpenBLAS picks its kernels by the product's shape (small products take other
        /// kernels), and they round differently: `sgemm` paths are compared within one tile
        /// size, every other path across all of them.
        var blas = false
        var testDescription: String { name }

        init(name: String, queries: Int, density: Double, blas: Bool = false, needsScreen: Bool = false,
             settings: @escaping @Sendable (inout SearchTuning) -> Void) {
            self.name = name
            self.queries = queries
            self.density = density
            self.blas = blas
            self.needsScreen = needsScreen
            self.settings = settings
        }
    }

    static let paths: [Path] = [
        Path(name: "single query, block scan", queries: 1, density: 1) { $0.path = .blockScan },
        Path(name: "single query, block scan, half the rows", queries: 1, density: 0.5) { $0.path = .blockScan },
        Path(name: "single query, gather", queries: 1, density: 0.03) { $0.path = .gather },
        Path(name: "Q=16, small-batch kernel", queries: 16, density: 1) {
            $0.screen = false; $0.rowsByQueriesUpTo = 16; $0.path = .blockScan
        },
        Path(name: "Q=13, AVX2 small-batch kernel, half the rows", queries: 13, density: 0.5) {
            $0.screen = false; $0.smallBatchKernel = .avx2; $0.rowsByQueriesUpTo = 16; $0.path = .blockScan
        },
        Path(name: "Q=40, sgemm queries × rows", queries: 40, density: 1, blas: true) {
            $0.screen = false; $0.rowsByQueriesUpTo = 0; $0.path = .blockScan
        },
        Path(name: "Q=9, sgemm rows × queries", queries: 9, density: 1, blas: true) {
            $0.screen = false; $0.smallBatchKernel = .sgemm; $0.rowsByQueriesUpTo = 16; $0.path = .blockScan
        },
        Path(name: "Q=16, gathered, small-batch kernel", queries: 16, density: 0.03) {
            $0.screen = false; $0.rowsByQueriesUpTo = 16; $0.path = .gather
        },
        Path(name: "Q=13, gathered, AVX2 small-batch kernel", queries: 13, density: 0.2) {
            $0.screen = false; $0.smallBatchKernel = .avx2; $0.rowsByQueriesUpTo = 16; $0.path = .gather
        },
        Path(name: "Q=40, gathered, sgemm queries × rows", queries: 40, density: 0.03, blas: true) {
            $0.screen = false; $0.rowsByQueriesUpTo = 0; $0.path = .gather
        },
        Path(name: "Q=9, gathered, sgemm rows × queries", queries: 9, density: 0.2, blas: true) {
            $0.screen = false; $0.smallBatchKernel = .sgemm; $0.rowsByQueriesUpTo = 16; $0.path = .gather
        },
        Path(name: "Q=40, screened", queries: 40, density: 1, needsScreen: true) {
            $0.screen = true; $0.screenBatchesFrom = 2; $0.path = .blockScan
        },
        Path(name: "Q=40, screened, gathered", queries: 40, density: 0.03, needsScreen: true) {
            $0.screen = true; $0.screenBatchesFrom = 2; $0.path = .gather
        },
    ]

    /// One index per dimension, shared by every path (9,000 rows: two full chunks and a part).
    final class Data: @unchecked Sendable {
        // @unchecked Sendable: built once, then only read.
        let snapshot: IndexSnapshot
        let queries: [[Float]]
        init(d: Int) throws {
            var rng = SplitMix64(seed: 0xDE7E4 &+ UInt64(d))
            let index = try FlatIndex(dimension: d, metric: .innerProduct)
            let ids = (0..<DeterminismTests.n).map { UInt64($0) &* 2_654_435_761 % 1_000_003 }
            try index.upsert(ids: ids, vectors: ids.map { _ in rng.gaussianVector(d) })
            // A few replaced rows: tombstones in the first chunk, new rows at the end.
            try index.upsert(ids: Array(ids[100..<140]), vectors: (100..<140).map { _ in rng.gaussianVector(d) })
            snapshot = index.snapshot
            queries = (0..<40).map { _ in rng.gaussianVector(d) }
        }
    }

    static let dataLock = Mutex<[Int: Data]>([:])
    static func data(d: Int) throws -> Data {
        if let hit = dataLock.withLock({ $0[d] }) { return hit }
        let made = try Data(d: d)
        return dataLock.withLock { cache in
            if let hit = cache[d] { return hit }
            cache[d] = made
            return made
        }
    }

    @Test("bit-identical results however the rows are shared out", arguments: [31, 256, 1000], paths)
    func identicalAcrossSharing(d: Int, path: Path) throws {
        if path.needsScreen && !ScreenKernel.available { return }
        let data = try Self.data(d: d)
        let snapshot = data.snapshot
        var rng = SplitMix64(seed: 0xF11 &+ UInt64(d))
        let filter: RowFilter? = path.density >= 1 ? nil
            : snapshot.filter { _ in Double.random(in: 0..<1, using: &rng) < path.density }
        let queries = Array(data.queries.prefix(path.queries))
        for k in [10, 100] {
            var first: [Int: (String, [[SearchHit]])] = [:]
            for (sharingName, tiles, sharing) in Self.sharings {
                var tuning = SearchTuning.default
                path.settings(&tuning)
                sharing(&tuning)
                let got: [[SearchHit]] = path.queries == 1
                    ? [try snapshot.search(queries[0], k: k, filter: filter, after: nil, tuning: tuning)]
                    : try snapshot.search(queries: Matrix(rowVectors: queries), k: k, filter: filter, tuning: tuning)
                #expect(got.count == path.queries && got.allSatisfy { $0.count == min(k, filter?.count ?? snapshot.count) })
                let group = path.blas ? tiles : 0
                guard let (baseName, base) = first[group] else {
                    first[group] = (sharingName, got)
                    continue
                }
                for q in 0..<path.queries where got[q] != base[q] {
                    let rank = (0..<min(got[q].count, base[q].count)).first { got[q][$0] != base[q][$0] }
                        ?? min(got[q].count, base[q].count)
                    Issue.record("""
                        d=\(d) \(path.name) k=\(k) query \(q): \(sharingName) differs from \(baseName) at rank \(rank): \
                        \(rank < got[q].count ? "\(got[q][rank])" : "-") vs \(rank < base[q].count ? "\(base[q][rank])" : "-")
                        """)
                    break
                }
            }
        }
    }
}
