import CBLAS
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The OpenBLAS calls of the search paths, each scoring a tile of queries against a tile of rows.
enum BLASKernel {
    /// `out[q × rowCount + r] = ⟨queries[q], rows[r]⟩`: one `cblas_sgemm` (NoTrans × Trans).
    /// - Precondition: `queries` holds `queryCount × dimension` floats, `rows` holds
    ///   `rowCount × dimension`, `out` holds `queryCount × rowCount`; all row-major.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    /// - Complexity: O(queryCount × rowCount × dimension); no allocation in matchd.
    @inline(__always)
    static func scoreTile(queries: UnsafePointer<Float>, queryCount: Int, rows: UnsafePointer<Float>,
                          rowCount: Int, dimension d: Int, into out: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                    blasint(queryCount), blasint(rowCount), blasint(d), 1.0,
                    queries, blasint(d), rows, blasint(d), 0.0, out, blasint(rowCount))
    }

    /// `out[r × queryCount + q] = ⟨queries[q], rows[r]⟩`: the same product laid out rows × queries
    /// (rows are OpenBLAS's M), one `cblas_sgemm`.
    /// - Precondition and warning as `scoreTile`; `out` holds `rowCount × queryCount`.
    @inline(__always)
    static func scoreTileRowsMajor(queries: UnsafePointer<Float>, queryCount: Int, rows: UnsafePointer<Float>,
                                   rowCount: Int, dimension d: Int, into out: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                    blasint(rowCount), blasint(queryCount), blasint(d), 1.0,
                    rows, blasint(d), queries, blasint(d), 0.0, out, blasint(queryCount))
    }

    /// `out[r] = ⟨query, rows[r]⟩`: one row-major `cblas_sgemv`.
    /// - Precondition and warning as `scoreTile`.
    @inline(__always)
    static func scoreRows(query: UnsafePointer<Float>, rows: UnsafePointer<Float>, rowCount: Int,
                          dimension d: Int, into out: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(rowCount), blasint(d), 1.0,
                    rows, blasint(d), query, 1, 0.0, out, 1)
    }

    /// Sets OpenBLAS to one thread, once per process: matchd splits rows across its own workers
    /// instead (measured faster at every batch size; see `SearchTuning`), and two levels of
    /// threads would oversubscribe the cores (and OpenBLAS's idle threads spin in `sched_yield`,
    /// which cost the small products of text extraction about a tenth of their time). Called
    /// when the first index is created and before every `Matrix` product.
    static func useMatcherThreading() { _ = singleThreaded }
    private static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// OpenBLAS's own thread count (process-wide).
    static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// `openblas_get_config()` and `openblas_get_corename()`, for benchmark reports.
    static var configuration: String {
        let config = openblas_get_config().map { String(cString: $0) } ?? "?"
        let core = openblas_get_corename().map { String(cString: $0) } ?? "?"
        return "\(config) (core \(core))"
    }
}

/// The machine's `sgemm` throughput on a given shape, for the "share of peak" figures.
@_spi(Tuning) public enum BLASPeak {
    /// Best GFLOP/s of `repetitions` runs of C(m×n) = A(m×k)·Bᵀ(n×k), the search's tile shape.
    public static func sgemm(m: Int, n: Int, k: Int, repetitions: Int) -> Double {
        bestGFLOPS(m: m, n: n, k: k, repetitions: repetitions, beforeEach: {})
    }

    /// The summed GFLOP/s of `threads` single-threaded `sgemm` runs side by side: the peak of
    /// search's own threading (one OpenBLAS thread per worker), which OpenBLAS's threaded
    /// `sgemm` on one tile understates. Sets OpenBLAS to one thread.
    ///
    /// `lockstep` (the default) starts every repetition on all threads together, so each
    /// thread's best is measured while the others run too, as a search's workers do. Without
    /// it each thread keeps its best on its own clock, and that best may come from a moment the
    /// others were not running (one starting late, or descheduled): on this project's 2-vCPU
    /// VMs (2026-12-01, m = 4096, n = 1024, k = 256) the independent bests summed to 205–209
    /// GFLOP/s while both threads busy together did 162–170 GFLOP/s over a wall clock.
    public static func concurrentSGEMM(threads: Int, m: Int, n: Int, k: Int, repetitions: Int,
                                       lockstep: Bool = true) -> Double {
        BLASKernel.threads = 1
        let count = max(1, threads)
        let total = Mutex(0.0)
        let arrived = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: count) { _ in
            var round = 0
            let g = bestGFLOPS(m: m, n: n, k: k, repetitions: repetitions) {
                guard lockstep else { return }
                round += 1
                arrived.add(1, ordering: .acquiringAndReleasing)
                while arrived.load(ordering: .acquiring) < count * round { sched_yield() }
            }
            total.withLock { $0 += g }
        }
        return total.withLock { $0 }
    }

    /// GFLOP/s of `sgemm` over a whole matrix in tiles of `rowTile` rows, as a batch search
    /// scores it but without merging: each tile's rows come from memory, not cache. The gap to
    /// `sgemm(m: queryCount, n: rowTile, …)` on one cached tile is what streaming costs OpenBLAS.
    public static func streamedSGEMM(queries: UnsafePointer<Float>, queryCount: Int, rows: UnsafePointer<Float>,
                                     rowCount: Int, dimension d: Int, rowTile: Int) -> Double {
        let out = UnsafeMutablePointer<Float>.allocate(capacity: queryCount * rowTile)
        defer { out.deallocate() }
        let t0 = ContinuousClock.now
        var r = 0
        while r < rowCount {
            let m = min(rowTile, rowCount - r)
            BLASKernel.scoreTile(queries: queries, queryCount: queryCount, rows: rows + r * d, rowCount: m,
                                 dimension: d, into: out)
            r += m
        }
        return 2 * Double(queryCount) * Double(rowCount) * Double(d) / (ContinuousClock.now - t0).seconds / 1e9
    }

    private static func bestGFLOPS(m: Int, n: Int, k: Int, repetitions: Int, beforeEach: () -> Void) -> Double {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: n * k)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer {
            a.deallocate()
            b.deallocate()
            c.deallocate()
        }
        for i in 0..<(m * k) { a[i] = Float(i % 7) * 0.1 }
        for i in 0..<(n * k) { b[i] = Float(i % 5) * 0.1 }
        c.initialize(repeating: 0, count: m * n)
        var best = Double.infinity
        for _ in 0..<max(1, repetitions) {
            beforeEach()
            let t0 = ContinuousClock.now
            BLASKernel.scoreTile(queries: a, queryCount: m, rows: b, rowCount: n, dimension: k, into: c)
            best = min(best, (ContinuousClock.now - t0).seconds)
        }
        return 2 * Double(m) * Double(n) * Double(k) / best / 1e9
    }
}

/// Which kernels this process computes with, for the start-up log.
public enum ComputeBackend {
    /// The OpenBLAS kernel family in use (`openblas_get_corename()`, e.g. "SkylakeX", "Haswell").
    public static var blasCore: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// The dot kernels of single queries and small batches: "avx512f", "avx2+fma" or
    /// "portable-simd".
    public static var dotKernel: String {
        DotKernel.usesAVX2 ? (DotKernel.hasAVX512 ? "avx512f" : "avx2+fma") : "portable-simd"
    }

    /// How large batches are scored: "amx-bf16 screen, exact rescoring" where the CPU has AMX
    /// tiles (`ScreenKernel`), else "sgemm".
    public static var batchKernel: String { ScreenKernel.available ? "amx-bf16 screen, exact rescoring" : "sgemm" }

    /// Set when OpenBLAS fell back to pre-AVX kernels on a CPU that has AVX2 (an unrecognised CPU
    /// model): batch search then runs several times below the machine's `sgemm` peak. The text
    /// says how to fix it.
    public static var blasCoreWarning: String? {
        let preAVX: Set<String> = ["prescott", "katmai", "coppermine", "northwood", "banias", "atom",
                                   "core2", "penryn", "dunnington", "nehalem", "opteron", "barcelona"]
        guard DotKernel.usesAVX2, preAVX.contains(blasCore.lowercased()) else { return nil }
        return "OpenBLAS chose its \(blasCore) kernels on a CPU with AVX2; set OPENBLAS_CORETYPE "
            + "(SkylakeX on AVX-512 CPUs, else Haswell) before starting matchd, as scripts/run does"
    }
}
