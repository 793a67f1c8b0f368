import CBLAS

/// A (truncated) singular value decomposition `A ≈ U · diag(S) · Vᵀ`.
public struct SVD: Sendable, Equatable {
    /// Left singular vectors, `m × rank`.
    public let u: Matrix
    /// Singular values, descending, `rank` of them.
    public let singularValues: [Float]
    /// Right singular vectors transposed, `rank × n`.
    public let vt: Matrix

    public var rank: Int { singularValues.count }

    /// The leading `rank` singular triplets of `matrix`, computed by LAPACKE `sgesdd`
    /// (divide and conquer, thin: `jobz = "S"`).
    ///
    /// - Parameter rank: how many triplets to keep; clamped to `min(m, n)`.
    /// - Throws: `MatcherError.invalidShape` for an empty matrix or `rank < 1`,
    ///   `MatcherError.nonFiniteValue` for NaN/inf input, `MatcherError.lapackFailure` if it does not converge.
    /// - Complexity: O(m × n × min(m, n)); the full thin SVD is computed, then truncated.
    public static func truncated(_ matrix: Matrix, rank: Int) throws(MatcherError) -> SVD {
        let m = matrix.rows, n = matrix.columns
        guard m > 0, n > 0 else { throw .invalidShape("SVD needs a non-empty matrix, got \(m)×\(n)") }
        guard rank >= 1 else { throw .invalidShape("SVD rank must be at least 1, got \(rank)") }
        if let bad = matrix.values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteValue(field: "matrix", position: bad)
        }
        let p = min(m, n)
        var a = matrix
        var s = [Float](repeating: 0, count: p)
        var u = [Float](repeating: 0, count: m * p)
        var vt = [Float](repeating: 0, count: p * n)
        let info: Int32 = a.withUnsafeMutableValues { pa in
            s.withUnsafeMutableBufferPointer { ps in
                u.withUnsafeMutableBufferPointer { pu in
                    vt.withUnsafeMutableBufferPointer { pvt in
                        LAPACKE_sgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "S")), Int32(m), Int32(n),
                                       pa.baseAddress, Int32(n), ps.baseAddress,
                                       pu.baseAddress, Int32(p), pvt.baseAddress, Int32(n))
                    }
                }
            }
        }
        guard info == 0 else { throw .lapackFailure(routine: "sgesdd", info: info) }
        let r = min(rank, p)
        var uTrunc = [Float](repeating: 0, count: m * r)
        for i in 0..<m {
            for j in 0..<r { uTrunc[i * r + j] = u[i * p + j] }
        }
        let vtTrunc = Array(vt[0..<(r * n)])
        return SVD(u: try Matrix(rows: m, columns: r, values: uTrunc),
                   singularValues: Array(s[0..<r]),
                   vt: try Matrix(rows: r, columns: n, values: vtTrunc))
    }

    /// `U · diag(S) · Vᵀ`, the rank-`rank` approximation of the decomposed matrix.
    public func reconstructed() -> Matrix {
        var us = u
        for i in 0..<u.rows {
            for j in 0..<rank { us[i, j] *= singularValues[j] }
        }
        // Shapes agree by construction.
        return (try? us.multiplied(by: vt)) ?? Matrix(rows: u.rows, columns: vt.columns)
    }
}
