@testable import Matcher
import TestSupport
import Testing

/// The single-query kernels (AVX2 where the CPU has it, and the portable Swift SIMD loop)
/// against a naive double-precision loop, at every dimension the tails can take.
@Suite struct DotKernelTests {
    /// Dimensions covering each tail: below one vector, between the 8-, 16- and 32-wide steps, large.
    static let dimensions = Array(1...70) + [127, 128, 129, 255, 256, 257, 511, 768, 1023, 1024]

    @Test(arguments: dimensions)
    func kernelsMatchNaiveSums(d: Int) {
        var rng = SplitMix64(seed: UInt64(d) &* 7919)
        let rows = 13
        // One float of offset: the kernels load unaligned and must not assume 32-byte rows.
        let storage = (0..<(rows * d + 1)).map { _ in Float.random(in: -1...1, using: &rng) }
        let query = (0..<d).map { _ in Float.random(in: -1...1, using: &rng) }
        var fast = [Float](repeating: .nan, count: rows)
        var portable = [Float](repeating: .nan, count: rows)
        storage.withUnsafeBufferPointer { s in
            query.withUnsafeBufferPointer { q in
                let base = s.baseAddress! + 1
                fast.withUnsafeMutableBufferPointer {
                    DotKernel.scores(query: q.baseAddress!, rows: base, rowCount: rows, dimension: d, into: $0.baseAddress!)
                }
                portable.withUnsafeMutableBufferPointer {
                    DotKernel.portableScores(query: q.baseAddress!, rows: base, rowCount: rows, dimension: d, into: $0.baseAddress!)
                }
                for r in 0..<rows {
                    var naive = 0.0
                    for j in 0..<d { naive += Double(query[j]) * Double(storage[1 + r * d + j]) }
                    let tol = tolerance(dimension: d, scale: 1)
                    #expect(abs(Double(fast[r]) - naive) <= tol, "d=\(d) row \(r): \(fast[r]) vs \(naive)")
                    #expect(abs(Double(portable[r]) - naive) <= tol, "d=\(d) row \(r): \(portable[r]) vs \(naive)")
                    // A row scores the same bits in a scan (`scores`, several rows per step) as
                    // alone (`dot`: gathers and rescoring).
                    let single = DotKernel.dot(q.baseAddress!, base + r * d, dimension: d)
                    #expect(single == fast[r], "d=\(d) row \(r): dot \(single) vs scores \(fast[r])")
                }
                // The AVX2 kernels, which the AVX-512 ones replace on such CPUs: the same checks.
                var avx2 = [Float](repeating: .nan, count: rows), avx2Dots = [Float](repeating: .nan, count: rows)
                let ran = avx2.withUnsafeMutableBufferPointer { out in
                    avx2Dots.withUnsafeMutableBufferPointer { dots in
                        DotKernel.avx2Scores(query: q.baseAddress!, rows: base, rowCount: rows, dimension: d,
                                             into: out.baseAddress!, dots: dots.baseAddress!)
                    }
                }
                guard ran else { return }
                for r in 0..<rows {
                    var naive = 0.0
                    for j in 0..<d { naive += Double(query[j]) * Double(storage[1 + r * d + j]) }
                    #expect(abs(Double(avx2[r]) - naive) <= tolerance(dimension: d, scale: 1), "AVX2 d=\(d) row \(r)")
                    #expect(avx2Dots[r] == avx2[r], "AVX2 d=\(d) row \(r): dot \(avx2Dots[r]) vs scores \(avx2[r])")
                }
            }
        }
    }

    /// The small-batch kernels (rows × queries; AVX2, and AVX-512 where the CPU has it) against
    /// naive sums, for batch sizes around their 4-query blocks and row counts around their 2- and
    /// 4-row blocks, with dimensions on and off their vector widths.
    @Test(arguments: [(1, false), (7, false), (8, false), (16, false), (33, false), (256, false), (257, false),
                      (16, true), (33, true), (48, true), (256, true), (264, true)])
    func batchKernelMatchesNaiveSums(d: Int, wide: Bool) throws {
        var rng = SplitMix64(seed: UInt64(d) &* 104_729)
        for (q, n) in [(1, 5), (3, 2), (4, 9), (5, 1), (9, 12), (16, 7), (8, 4), (4, 13)] {
            let rows = (0..<(n * d + 1)).map { _ in Float.random(in: -1...1, using: &rng) }
            let queries = (0..<(q * d)).map { _ in Float.random(in: -1...1, using: &rng) }
            var out = [Float](repeating: .nan, count: n * q)
            let ran = rows.withUnsafeBufferPointer { r in
                queries.withUnsafeBufferPointer { qs in
                    out.withUnsafeMutableBufferPointer {
                        DotKernel.batchScores(queries: qs.baseAddress!, queryCount: q, rows: r.baseAddress! + 1, rowCount: n,
                                              dimension: d, wide: wide, into: $0.baseAddress!)
                    }
                }
            }
            try #require(ran == DotKernel.usesAVX2)
            guard ran else { continue }
            for r in 0..<n {
                for j in 0..<q {
                    var naive = 0.0
                    for t in 0..<d { naive += Double(rows[1 + r * d + t]) * Double(queries[j * d + t]) }
                    #expect(abs(Double(out[r * q + j]) - naive) <= tolerance(dimension: d, scale: 1),
                            "d=\(d) q=\(q) n=\(n) row \(r) query \(j): \(out[r * q + j]) vs \(naive)")
                }
            }
        }
    }
}
