/// Inner products of one query with consecutive stored rows, in portable Swift SIMD.
///
/// Four rows share each load of the query, with 16-wide accumulators, so one query pass
/// streams rows at close to memory speed. This is the single-query kernel: OpenBLAS's
/// row-major `sgemv` runs at about a third of the read bandwidth on this shape
/// (`../shared/reference/stack.md`, "Measured limits"); the table in `SearchTuning` has our
/// measurements of both.
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
        let q = UnsafeRawPointer(query)
        let wide = d & ~15
        while r + 4 <= rowCount {
            let p0 = UnsafeRawPointer(rows + r * d)
            let p1 = UnsafeRawPointer(rows + (r + 1) * d)
            let p2 = UnsafeRawPointer(rows + (r + 2) * d)
            let p3 = UnsafeRawPointer(rows + (r + 3) * d)
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            var j = 0
            while j < wide {
                let o = j &* 4
                let qv = q.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                a0 += qv * p0.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                a1 += qv * p1.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                a2 += qv * p2.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                a3 += qv * p3.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                j &+= 16
            }
            var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
            while j < d {
                let qj = query[j]
                s0 += qj * rows[r * d + j]
                s1 += qj * rows[(r + 1) * d + j]
                s2 += qj * rows[(r + 2) * d + j]
                s3 += qj * rows[(r + 3) * d + j]
                j &+= 1
            }
            out[r] = s0
            out[r + 1] = s1
            out[r + 2] = s2
            out[r + 3] = s3
            r &+= 4
        }
        while r < rowCount {
            out[r] = dot(query, rows + r * d, dimension: d)
            r &+= 1
        }
    }

    /// `⟨a, b⟩` over `dimension` floats.
    /// - Warning: Pointers are valid only during the call; nothing is retained.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dimension d: Int) -> Float {
        let pa = UnsafeRawPointer(a), pb = UnsafeRawPointer(b)
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var j = 0
        while j + 32 <= d {
            let o = j &* 4
            acc0 += pa.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                * pb.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
            acc1 += pa.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD16<Float>.self)
                * pb.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD16<Float>.self)
            j &+= 32
        }
        if j + 16 <= d {
            let o = j &* 4
            acc0 += pa.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                * pb.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
            j &+= 16
        }
        var s = (acc0 + acc1).sum()
        while j < d {
            s += a[j] * b[j]
            j &+= 1
        }
        return s
    }
}
