import CBLAS

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

    /// `out[r] = ⟨query, rows[r]⟩`: one row-major `cblas_sgemv`.
    /// - Precondition and warning as `scoreTile`.
    @inline(__always)
    static func scoreRows(query: UnsafePointer<Float>, rows: UnsafePointer<Float>, rowCount: Int,
                          dimension d: Int, into out: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(rowCount), blasint(d), 1.0,
                    rows, blasint(d), query, 1, 0.0, out, 1)
    }

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
