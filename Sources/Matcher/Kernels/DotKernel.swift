import CBLAS

/// Inner products of one query with consecutive stored rows.
///
/// On x86-64 CPUs with AVX2 and FMA (checked once at run time) the C kernels of
/// `CBLAS/dot_kernels.h` run: Swift compiles a module for one target, and the baseline x86-64
/// target has only SSE. Everywhere else, and as the `.portable` tuning choice, the Swift SIMD
/// loop below runs. Single query, 1M × 256, k = 10, one thread, ms per query, best of 3
/// (`matcher-compare tune --sweeps kernel`, 2026-12-01; two runs of the same hour, OpenBLAS on
/// its Prescott fallback in the first and `OPENBLAS_CORETYPE=SkylakeX` in the second; the
/// machine's streaming read bound for these 1.02 GB was about 92 ms):
///
/// | kernel (row block 256)                      | run 1 | run 2 |
/// |---------------------------------------------|-------|-------|
/// | AVX2 + FMA, prefetch 8 rows ahead (chosen)  | 96.4  | 75.5  |
/// | Swift SIMD8 × 2 at baseline x86-64 (SSE)    | 146.2 | 127.1 |
/// | OpenBLAS row-major `sgemv` per block        | 230.0 | 105.7 |
/// | OpenBLAS `sgemm` with one query row         | 190.2 | 94.1  |
///
/// The prefetch was later spread over each row's steps, two lines per 32 floats, instead of one
/// burst of sixteen per row (`matchd_prefetch_spread`): in eight alternating runs of a C
/// harness over the same 1M × 256 (2026-12-01 22:24, one thread) 71–79 ms against 86–100 ms.
///
/// Where the CPU has AVX-512F, `scores` and `dot` run its 16-wide variant of the same loop
/// (`matchd_scores_avx512`): in fifteen alternating rounds of a C harness (2026-12-02, one
/// thread, 1M × 256) 7–10 % faster than the AVX2 kernel, and at the speed of the fastest read
/// kernel measured in that hour. It now scores four rows per step, sharing the query loads, with
/// the next rows prefetched in the order the loads consume them: against a read pass timed just
/// before each run, 0.995× (one thread) and 1.053× (two) the read time, where one row at a time
/// took 1.134× and 1.197× (table in `dot_kernels.h`). Each row keeps the one-row kernel's
/// accumulators and sum, so `dot` and `scores` agree bit for bit.
///
/// The AVX2 kernel likewise scores two rows per step (four would spill its sixteen registers):
/// 1.143× and 1.189× the read time where one row at a time took 1.242× and 1.238× (one and two
/// threads, same harness). The portable loop was chosen among its own
/// alternatives earlier (1M × 256, one thread, a plain SIMD sum over the same bytes at
/// 27–31 GB/s in the same runs):
///
/// | kernel                                   | GB/s  |
/// |------------------------------------------|-------|
/// | one row, 2 × SIMD8 accumulators (chosen) | 23–27 |
/// | one row, 4 × SIMD8                       | 22    |
/// | 2 rows per query load, 2 × SIMD8 each    | 9.0   |
/// | 4 rows per query load, SIMD8 / SIMD16    | 7.4–8.6 (SIMD16 × 4 rows spills registers) |
/// | OpenBLAS row-major `sgemv` per block     | 10.7  |
///
/// In portable Swift, sharing query loads across rows interleaved four streams without a software
/// prefetch and lost the hardware prefetcher's pace; the single stream won by 3×. See `SearchTuning` for
/// the end-to-end table.
enum DotKernel {
    /// Whether the AVX2 + FMA kernels run (decided once per process).
    static let usesAVX2: Bool = matchd_cpu_has_avx2_fma() != 0
    /// Whether the AVX-512 kernels run, for single queries and small batches (decided once per
    /// process).
    static let hasAVX512: Bool = matchd_cpu_has_avx512f() != 0

    /// Writes `out[i] = ⟨query, rows[i]⟩` for `i < rowCount`, with the fastest kernel the CPU has.
    /// - Precondition, warning and complexity as `portableScores`.
    @inline(__always)
    static func scores(query: UnsafePointer<Float>, rows: UnsafePointer<Float>, rowCount: Int,
                       dimension d: Int, into out: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        if hasAVX512 {
            matchd_scores_avx512(query, rows, rowCount, d, out)
            return
        }
        if usesAVX2 {
            matchd_scores_avx2(query, rows, rowCount, d, out)
            return
        }
        #endif
        portableScores(query: query, rows: rows, rowCount: rowCount, dimension: d, into: out)
    }

    /// `⟨a, b⟩` over `dimension` floats, with the fastest kernel the CPU has.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dimension d: Int) -> Float {
        #if arch(x86_64)
        // The same kernel as `scores`, so a row scores alike in a scan, a gather and a rescoring.
        if hasAVX512 { return matchd_dot_avx512(a, b, d) }
        if usesAVX2 { return matchd_dot_avx2(a, b, d) }
        #endif
        return portableDot(a, b, dimension: d)
    }

    /// `scores` and `dot` with the AVX2 kernels even where AVX-512 would run, so that the tests
    /// check them on any CPU with AVX2; false, writing nothing, without AVX2.
    static func avx2Scores(query: UnsafePointer<Float>, rows: UnsafePointer<Float>, rowCount: Int, dimension d: Int,
                           into out: UnsafeMutablePointer<Float>, dots: UnsafeMutablePointer<Float>) -> Bool {
        #if arch(x86_64)
        guard usesAVX2 else { return false }
        matchd_scores_avx2(query, rows, rowCount, d, out)
        for r in 0..<rowCount { dots[r] = matchd_dot_avx2(query, rows + r * d, d) }
        return true
        #else
        return false
        #endif
    }

    /// Writes `out[r × queryCount + j] = ⟨queries[j], rows[r]⟩` (rows × queries, the layout of
    /// `BLASKernel.scoreTileRowsMajor`) with the AVX2 small-batch kernel; returns false, writing
    /// nothing, where the CPU lacks AVX2 (the caller then uses `sgemm`).
    /// - Precondition: `queries` holds `queryCount × dimension` floats, `rows` holds
    ///   `rowCount × dimension`, `out` holds `rowCount × queryCount`; all row-major.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    /// - Complexity: O(rowCount × queryCount × dimension), no allocation.
    /// With `wide`, the AVX-512 kernel runs where the CPU has it.
    @inline(__always)
    static func batchScores(queries: UnsafePointer<Float>, queryCount: Int, rows: UnsafePointer<Float>, rowCount: Int,
                            dimension d: Int, wide: Bool, into out: UnsafeMutablePointer<Float>) -> Bool {
        #if arch(x86_64)
        if wide && hasAVX512 {
            matchd_scores_batch_avx512(queries, queryCount, rows, rowCount, d, out)
            return true
        }
        if usesAVX2 {
            matchd_scores_batch_avx2(queries, queryCount, rows, rowCount, d, out)
            return true
        }
        #endif
        return false
    }

    /// Writes `out[i] = ⟨query, rows[i]⟩` for `i < rowCount`, in portable Swift SIMD.
    /// - Precondition: `query` holds `dimension` floats; `rows` holds `rowCount × dimension`
    ///   floats, row-major; `out` holds `rowCount` floats.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    /// - Complexity: O(rowCount × dimension), no allocation.
    @inline(__always)
    static func portableScores(query: UnsafePointer<Float>, rows: UnsafePointer<Float>, rowCount: Int,
                               dimension d: Int, into out: UnsafeMutablePointer<Float>) {
        var r = 0
        while r < rowCount {
            out[r] = portableDot(query, rows + r &* d, dimension: d)
            r &+= 1
        }
    }

    /// `⟨a, b⟩` over `dimension` floats: two 8-wide accumulators (they fit the 16 SSE
    /// registers without spilling), then an 8-wide and a scalar tail.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    @inline(__always)
    static func portableDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dimension d: Int) -> Float {
        let pa = UnsafeRawPointer(a), pb = UnsafeRawPointer(b)
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var j = 0
        while j &+ 16 <= d {
            let o = j &* 4
            acc0 += pa.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                * pb.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            acc1 += pa.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD8<Float>.self)
                * pb.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD8<Float>.self)
            j &+= 16
        }
        if j &+ 8 <= d {
            let o = j &* 4
            acc0 += pa.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                * pb.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            j &+= 8
        }
        var s = (acc0 + acc1).sum()
        while j < d {
            s += a[j] * b[j]
            j &+= 1
        }
        return s
    }
}
