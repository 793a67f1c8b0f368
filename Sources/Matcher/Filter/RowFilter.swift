/// A set of rows of one snapshot, as a dense bitset: the allow-list a search is restricted to.
///
/// Callers build it from their own predicates with `IndexSnapshot.filter(where:)` or
/// `IndexSnapshot.filter(ids:)`. Its `rowCount` ties it to the snapshot it was built for.
public struct RowFilter: Sendable, Equatable {
    /// The number of rows the filter covers (the snapshot's `rowCount`).
    public let rowCount: Int
    private(set) var words: [UInt64]
    /// How many rows are allowed.
    public private(set) var count: Int

    /// An empty filter over `rowCount` rows.
    public init(rowCount: Int) {
        precondition(rowCount >= 0)
        self.rowCount = rowCount
        self.words = [UInt64](repeating: 0, count: (rowCount + 63) / 64)
        self.count = 0
    }

    /// A filter over prepared words; bits at or beyond `rowCount` must be clear.
    init(rowCount: Int, words: [UInt64], count: Int) {
        precondition(words.count == (rowCount + 63) / 64)
        self.rowCount = rowCount
        self.words = words
        self.count = count
    }

    /// A filter allowing every one of `rowCount` rows.
    public static func all(rowCount: Int) -> RowFilter {
        var f = RowFilter(rowCount: rowCount)
        for w in 0..<f.words.count { f.words[w] = ~0 }
        if rowCount % 64 != 0, !f.words.isEmpty { f.words[f.words.count - 1] = (1 << UInt64(rowCount % 64)) - 1 }
        f.count = rowCount
        return f
    }

    /// Allowed fraction of rows, in [0, 1].
    public var density: Double { rowCount == 0 ? 0 : Double(count) / Double(rowCount) }

    public func contains(_ row: RowID) -> Bool {
        guard row.rawValue >= 0 && row.rawValue < rowCount else { return false }
        return words[row.rawValue >> 6] & (1 << UInt64(row.rawValue & 63)) != 0
    }

    public mutating func insert(_ row: RowID) {
        precondition(row.rawValue >= 0 && row.rawValue < rowCount, "\(row) outside the filter's \(rowCount) rows")
        let bit: UInt64 = 1 << UInt64(row.rawValue & 63)
        if words[row.rawValue >> 6] & bit == 0 {
            words[row.rawValue >> 6] |= bit
            count += 1
        }
    }

    public mutating func remove(_ row: RowID) {
        precondition(row.rawValue >= 0 && row.rawValue < rowCount, "\(row) outside the filter's \(rowCount) rows")
        let bit: UInt64 = 1 << UInt64(row.rawValue & 63)
        if words[row.rawValue >> 6] & bit != 0 {
            words[row.rawValue >> 6] &= ~bit
            count -= 1
        }
    }

    /// The rows allowed by both filters.
    public func intersection(_ other: RowFilter) -> RowFilter {
        precondition(rowCount == other.rowCount, "filters over different row counts")
        var out = self
        var c = 0
        for w in 0..<words.count {
            out.words[w] = words[w] & other.words[w]
            c += out.words[w].nonzeroBitCount
        }
        out.count = c
        return out
    }

    /// Calls `body` with every allowed row, ascending.
    public func forEach(_ body: (RowID) throws -> Void) rethrows {
        for w in 0..<words.count {
            var word = words[w]
            while word != 0 {
                let bit = word.trailingZeroBitCount
                try body(RowID(w << 6 | bit))
                word &= word - 1
            }
        }
    }

    /// Calls `body` with the storage words. Do not escape the pointer from the closure.
    func withUnsafeWords<R>(_ body: (UnsafeBufferPointer<UInt64>) throws -> R) rethrows -> R {
        try words.withUnsafeBufferPointer(body)
    }
}
