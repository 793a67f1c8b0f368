/// A dense row-major matrix of `Float`, the value type of matchd's small linear-algebra API.
///
/// Embeddings and the service do their matrix work through this type so that only Matcher
/// touches OpenBLAS and LAPACKE pointers.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major values: element `(r, c)` is `values[r * columns + c]`.
    public private(set) var values: [Float]

    /// A matrix over `values` (row-major).
    /// - Throws: `MatcherError.invalidShape` when `values.count != rows * columns` or a size is negative.
    public init(rows: Int, columns: Int, values: [Float]) throws(MatcherError) {
        guard rows >= 0, columns >= 0, values.count == rows * columns else {
            throw .invalidShape("matrix \(rows)×\(columns) needs \(max(0, rows) * max(0, columns)) values, got \(values.count)")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix sizes must not be negative")
        self.rows = rows
        self.columns = columns
        self.values = Array(repeating: value, count: rows * columns)
    }

    /// A matrix whose rows are `rowVectors`, all of the same length.
    /// - Throws: `MatcherError.invalidShape` when the rows differ in length.
    public init(rowVectors: [[Float]], columns: Int? = nil) throws(MatcherError) {
        let width = columns ?? rowVectors.first?.count ?? 0
        var values: [Float] = []
        values.reserveCapacity(rowVectors.count * width)
        for (i, row) in rowVectors.enumerated() {
            guard row.count == width else {
                throw .invalidShape("row \(i) has \(row.count) values, expected \(width)")
            }
            values.append(contentsOf: row)
        }
        self.rows = rowVectors.count
        self.columns = width
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "matrix index out of range")
            return values[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "matrix index out of range")
            values[row * columns + column] = newValue
        }
    }

    /// The values of row `r`.
    public func row(_ r: Int) -> ArraySlice<Float> {
        precondition(r >= 0 && r < rows, "row out of range")
        return values[(r * columns)..<((r + 1) * columns)]
    }

    /// The transpose, `columns × rows`.
    public var transposed: Matrix {
        var out = Matrix(rows: columns, columns: rows)
        for r in 0..<rows {
            for c in 0..<columns { out.values[c * rows + r] = values[r * columns + c] }
        }
        return out
    }

    /// Calls `body` with the values' storage. Do not escape the pointer from the closure.
    func withUnsafeValues<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try values.withUnsafeBufferPointer(body)
    }

    mutating func withUnsafeMutableValues<R>(_ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try values.withUnsafeMutableBufferPointer(body)
    }
}
