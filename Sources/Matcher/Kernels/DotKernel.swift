/// Inner products of one query with consecutive stored rows, in portable Swift SIMD.
///
/// One row at a time, streaming: measured against the alternatives on 1M × 256 (one thread,
/// a plain SIMD sum over the same bytes at 27–31 GB/s in the same runs):
///
/// | kernel                                   | GB/s  |
/// |------------------------------------------|-------|
/// | one row, 2 × SIMD8 accumulators (chosen) | 23–27 |
/// | one row, 4 × SIMD8                       | 22    |
/// | 2 rows per query load, 2 × SIMD8 each    | 9.0   |
/// | 4 rows per query load, SIMD8 / SIMD16    | 7.4–8.6 (SIMD16 × 4 rows spills registers) |
/// | OpenBLAS row-major `sgemv` per block     | 10.7  |
///
/// Sharing query loads across rows looks cheaper on paper but interleaves four streams and
/// loses the hardware prefetcher's pace; the single stream wins by 3×. See `SearchTuning` for
/// the end-to-end table.
enum DotKernel {
    /// Writes `out[i] = ⟨query, rows[i]⟩` for `i < rowCount`.
    /// - Precondition: `query` holds `dimension` floats; `rows` holds `rowCount × dimension`
    ///   floats, row-major; `out` holds `rowCount` floats.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    /// - Complexity: O(rowCount × dimension), no allocation.
    @inline(__always)
    static func scores(query: UnsafePointer<Float>, rows: UnsafePointer<Float>, rowCount: Int,
                       dimension d: Int, into out: UnsafeMutablePointer<Float>) {
        var r = 0
        while r < rowCount {
            out[r] = dot(query, rows + r &* d, dimension: d)
            r &+= 1
        }
    }

    /// `⟨a, b⟩` over `dimension` floats: two 8-wide accumulators (they fit the 16 SSE
    /// registers without spilling), then an 8-wide and a scalar tail.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dimension d: Int) -> Float {
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
