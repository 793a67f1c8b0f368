import Embeddings

/// Wage levels (工资价位) of postings: percentiles of monthly salaries per occupation × province or
/// city × level, the layout of the published tables. A city's province comes from `Regions`.
///
/// - A posting's monthly salary is the midpoint of its range; a posting with one bound counts at
///   that bound; a posting without a salary or without an occupation code does not count.
/// - Percentiles by linear interpolation between closest ranks (type 7 of Hyndman and Fan, the
///   default of NumPy and spreadsheets): the p-th of sorted `x[0…n−1]` is `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`,
///   `h = (n − 1)·p`.
/// - A group with fewer than `minCount` postings is left out (counted in `excluded`), as
///   published tables leave out cells too small to be representative.
enum WageLevels {
    struct Posting: Sendable, Equatable {
        var occupation: String
        var city: String?
        var level: Int?
        var salaryMin: Int?
        var salaryMax: Int?

        /// The monthly salary the posting counts with.
        var monthly: Double? {
            switch (salaryMin, salaryMax) {
            case let (lo?, hi?): Double(lo + hi) / 2
            case let (lo?, nil): Double(lo)
            case let (nil, hi?): Double(hi)
            default: nil
            }
        }
    }

    enum Dimension: String, Sendable, CaseIterable {
        case occupation, province, city, level
        /// The rows' default grouping.
        static let standard: Set<Dimension> = [.occupation, .city, .level]
    }

    struct Key: Hashable, Sendable, Comparable {
        var occupation: String?
        var province: String?
        var city: String?
        var level: Int?

        static func < (a: Key, b: Key) -> Bool {
            ((a.occupation ?? ""), (a.province ?? ""), (a.city ?? ""), (a.level ?? -1))
                < ((b.occupation ?? ""), (b.province ?? ""), (b.city ?? ""), (b.level ?? -1))
        }
    }

    struct Row: Sendable, Equatable {
        var key: Key
        var count: Int
        var p10, p25, p50, p75, p90, mean: Double
    }

    struct Table: Sendable, Equatable {
        var rows: [Row]
        /// Groups (and their postings) below `minCount`.
        var excludedGroups: Int
        var excludedPostings: Int
    }

    static let percentiles = [0.10, 0.25, 0.50, 0.75, 0.90]

    static func table(_ postings: [Posting], by dimensions: Set<Dimension>, minCount: Int) -> Table {
        var groups: [Key: [Double]] = [:]
        for p in postings {
            guard let salary = p.monthly else { continue }
            let key = Key(occupation: dimensions.contains(.occupation) ? p.occupation : nil,
                          province: dimensions.contains(.province) ? p.city.flatMap { Regions.region(ofCity: $0)?.province } : nil,
                          city: dimensions.contains(.city) ? p.city : nil,
                          level: dimensions.contains(.level) ? p.level : nil)
            groups[key, default: []].append(salary)
        }
        var rows: [Row] = []
        var excludedGroups = 0, excludedPostings = 0
        for (key, salaries) in groups {
            guard salaries.count >= minCount else {
                excludedGroups += 1
                excludedPostings += salaries.count
                continue
            }
            let sorted = salaries.sorted()
            let q = percentiles.map { quantile(sorted, $0) }
            rows.append(Row(key: key, count: sorted.count, p10: q[0], p25: q[1], p50: q[2], p75: q[3], p90: q[4],
                            mean: sorted.reduce(0, +) / Double(sorted.count)))
        }
        return Table(rows: rows.sorted { $0.key < $1.key }, excludedGroups: excludedGroups, excludedPostings: excludedPostings)
    }

    /// The `p`-quantile of ascending `x` (type 7).
    static func quantile(_ x: [Double], _ p: Double) -> Double {
        precondition(!x.isEmpty)
        let h = Double(x.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, x.count - 1)
        return x[lo] + (h - Double(lo)) * (x[hi] - x[lo])
    }
}
