import CBLAS

extension Matrix {
    /// The product `op(self) · op(other)`, where `op` transposes when asked.
    ///
    /// - Throws: `MatcherError.invalidShape` when the inner dimensions differ.
    /// - Complexity: O(m × n × k); one `cblas_sgemm`.
    public func multiplied(by other: Matrix, transposingSelf: Bool = false,
                           transposingOther: Bool = false) throws(MatcherError) -> Matrix {
        let m = transposingSelf ? columns : rows
        let k = transposingSelf ? rows : columns
        let k2 = transposingOther ? other.columns : other.rows
        let n = transposingOther ? other.rows : other.columns
        guard k == k2 else {
            throw .invalidShape("cannot multiply \(m)×\(k) by \(k2)×\(n)")
        }
        BLASKernel.useMatcherThreading()
        var out = Matrix(rows: m, columns: n)
        guard m > 0, n > 0 else { return out }
        if k == 0 { return out }
        let lda = Int32(max(1, columns)), ldb = Int32(max(1, other.columns)), ldc = Int32(max(1, n))
        withUnsafeValues { a in
            other.withUnsafeValues { b in
                out.withUnsafeMutableValues { c in
                    cblas_sgemm(CblasRowMajor,
                                transposingSelf ? CblasTrans : CblasNoTrans,
                                transposingOther ? CblasTrans : CblasNoTrans,
                                blasint(m), blasint(n), blasint(k), 1.0,
                                a.baseAddress, blasint(lda), b.baseAddress, blasint(ldb),
                                0.0, c.baseAddress, blasint(ldc))
                }
            }
        }
        return out
    }

    /// The matrix-vector product `self · vector`.
    ///
    /// - Throws: `MatcherError.dimensionMismatch` when `vector.count != columns`.
    /// - Complexity: O(rows × columns); one `cblas_sgemv`.
    public func multiplied(by vector: [Float]) throws(MatcherError) -> [Float] {
        guard vector.count == columns else {
            throw .dimensionMismatch(field: "vector", expected: columns, actual: vector.count)
        }
        BLASKernel.useMatcherThreading()
        var out = [Float](repeating: 0, count: rows)
        guard rows > 0, columns > 0 else { return out }
        withUnsafeValues { a in
            vector.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { y in
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(rows), blasint(columns), 1.0,
                                a.baseAddress, blasint(columns), x.baseAddress, 1, 0.0, y.baseAddress, 1)
                }
            }
        }
        return out
    }
}
