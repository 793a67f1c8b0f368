/// `Fit.score` as one inner product, so that many people can be scored against many postings
/// with a matrix product.
///
/// A requirement's coverage depends on the person, the competency `j` and the needed level
/// `n = max(level, 1)` only (`Fit.coverage`), and a posting's score is `Σ_j w_j c_j(n_j)`. So, over
/// the columns `(j, n)` that some posting needs:
///
///     coverage row of a person:   C[(j, n)] = c_j(n)          (dense, one value per column)
///     weight column of a posting: W[(j, n_j)] = w_j            (sparse, one value per requirement)
///     Fit.score = min(max(C · W, 0), 1)
///
/// exactly, up to the rounding of the product. Computed in `Float`, `C · W` differs from the
/// `Double` sums of `Fit.score` by at most `(m + 2)·2⁻²⁴·Σ w_j c_j ≤ (m + 2)·6e-8` for a posting
/// with `m` requirements (each factor rounded once, then `m` additions of non-negative terms),
/// so a caller comparing with a threshold rescores, with `Fit.score`, the pairs within
/// `margin` of it and decides all others from the product.
public struct FitColumns: Sendable {
    public struct Key: Hashable, Sendable, Comparable {
        /// The competency's index in the model.
        public var index: Int
        /// The needed level, 1…8.
        public var level: Int

        public static func < (a: Key, b: Key) -> Bool { (a.index, a.level) < (b.index, b.level) }
    }

    /// The columns, ascending.
    public let keys: [Key]
    private let column: [Key: Int]
    /// Per competency index with a column: the column's needed levels and their columns.
    private let levelsByCompetency: [(index: Int, levels: [(level: Int, column: Int)])]
    private let latent: LatentSpace?
    private let configuration: Fit.Configuration
    /// Per competency index (empty where no column needs it): the other competencies at latent
    /// similarity ≥ τ, and it.
    private let related: [[(index: Int, similarity: Float)]]

    /// A safe distance from a threshold for a decision from the `Float` product (see the type).
    public static let margin: Float = 1e-4

    /// The number of competencies of the model.
    public let dimension: Int

    /// The columns every one of `requirements` needs, over a model of `dimension` competencies.
    public init(requirements: [RequirementProfile], dimension: Int, latent: LatentSpace?,
                configuration: Fit.Configuration = Fit.Configuration()) {
        self.dimension = dimension
        var set = Set<Key>()
        for r in requirements { for e in r.entries { set.insert(Key(index: e.index, level: max(e.level, 1))) } }
        let keys = set.sorted()
        self.keys = keys
        var column: [Key: Int] = [:]
        var byCompetency: [Int: [(level: Int, column: Int)]] = [:]
        for (c, k) in keys.enumerated() {
            column[k] = c
            byCompetency[k.index, default: []].append((k.level, c))
        }
        self.column = column
        self.levelsByCompetency = byCompetency.keys.sorted().map { ($0, byCompetency[$0]!) }
        self.latent = latent
        self.configuration = configuration
        var related = [[(index: Int, similarity: Float)]](repeating: [], count: dimension)
        if let latent {
            for j in byCompetency.keys {
                var list: [(index: Int, similarity: Float)] = []
                for i in 0..<latent.competencyCount where i != j {
                    let s = latent.similarity(i, j)
                    if s >= configuration.relatedThreshold { list.append((i, s)) }
                }
                related[j] = list
            }
        }
        self.related = related
    }

    public var count: Int { keys.count }

    /// The column of competency `index` at needed level `level` (0 counts as 1), if any posting needs it.
    public func column(index: Int, level: Int) -> Int? { column[Key(index: index, level: max(level, 1))] }

    /// A posting's weights by column; `nil` when it needs a column this set lacks.
    public func weights(of need: RequirementProfile) -> [(column: Int, weight: Float)]? {
        var out: [(column: Int, weight: Float)] = []
        out.reserveCapacity(need.entries.count)
        for e in need.entries {
            guard let c = column(index: e.index, level: e.level) else { return nil }
            out.append((c, Float(e.weight)))
        }
        return out
    }

    /// A person's coverage of every column, written into `row` (`count` values).
    ///
    /// - Parameter levels: scratch of `dimension` zeros, returned zeroed.
    public func coverage(of have: CapabilityProfile, into row: UnsafeMutableBufferPointer<Float>,
                         levels: inout [Double]) {
        precondition(row.count == count)
        // The person's competencies, once each at its highest level.
        var held: [(index: Int, level: Double)] = []
        for e in have.entries where e.level > levels[e.index] {
            if levels[e.index] == 0 { held.append((e.index, 0)) }
            levels[e.index] = e.level
        }
        for k in held.indices { held[k].level = levels[held[k].index] }
        let beta = configuration.relatedCap
        var near: [(similarity: Float, level: Double)] = []
        for (j, columns) in levelsByCompetency {
            let h = levels[j]
            // The person's competencies related to `j` (similarity ≥ τ): through the shorter of
            // the person's list and `j`'s neighbours; both give the same set.
            near.removeAll(keepingCapacity: true)
            if let latent {
                if held.count < related[j].count {
                    for (i, l) in held where i != j {
                        let s = latent.similarity(i, j)
                        if s >= configuration.relatedThreshold { near.append((s, l)) }
                    }
                } else {
                    for (i, s) in related[j] where levels[i] > 0 { near.append((s, levels[i])) }
                }
            }
            for (level, c) in columns {
                let n = Double(level)
                let exact = min(h / n, 1)
                var best = exact
                if exact < 1 {
                    for (s, l) in near {
                        let credit = beta * Double(s) * min(l / n, 1)
                        if credit > best { best = credit }
                    }
                }
                row[c] = Float(best)
            }
        }
        for (i, _) in held { levels[i] = 0 }
    }

    /// `coverage(of:into:levels:)` as an array.
    public func coverage(of have: CapabilityProfile) -> [Float] {
        var row = [Float](repeating: 0, count: count)
        var levels = [Double](repeating: 0, count: dimension)
        row.withUnsafeMutableBufferPointer { coverage(of: have, into: $0, levels: &levels) }
        return row
    }
}
