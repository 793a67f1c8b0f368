public import Matcher

/// A low-rank space in which competencies that are required, taught or listed together lie close.
///
/// **Training matrix** `A` (rows × competencies), every row scaled to unit length:
/// - one row per post: its resolved requirement weights (`CompetencyModel.postRequirements`);
/// - one row per course: the levels it teaches, divided by the scale's max;
/// - one row per `related` pair (i, j): 1 at i and at j.
///
/// **Decomposition**: `A ≈ U_k S_k V_kᵀ` by `SVD.truncated` (LAPACKE `sgesdd`), `k = rank`
/// (clamped to `min(rows, competencies)`). Competency `i`'s latent vector is `L_i = S_k v_i`
/// (row `i` of `V_k S_k`), so `L_i · L_j` equals the inner product of columns `i` and `j` of the
/// rank-`k` reconstruction `A_k` (U has orthonormal columns), and
/// `similarity(i, j) = cos(L_i, L_j)` is the cosine between those columns; 0 when either is zero
/// (a competency no row mentions).
public struct LatentSpace: Sendable {
    /// The rank the service uses unless told otherwise. Measured on cn-digital-2022 v1
    /// (1169 training rows × 553 competencies), cosine of pairs by rank:
    ///
    /// | rank | PyTorch~TensorFlow | PyTorch~直播电商 | 深度学习~计算机视觉 | 深度学习~直播电商 |
    /// |---|---|---|---|---|
    /// | 8  | 0.88 | 0.25 | 0.92 | 0.11 |
    /// | 16 | 0.90 | 0.20 | 0.81 | 0.13 |
    /// | 24 | 0.93 | 0.02 | 0.75 | −0.01 |
    /// | 32 | 0.93 | 0.02 | 0.63 | −0.04 |
    /// | 48 | 0.94 | 0.03 | 0.16 | −0.01 |
    /// | 64 | 0.93 | −0.02 | 0.12 | 0.01 |
    ///
    /// Low ranks blur unrelated domains together; from 48 on, pairs that share posts only
    /// indirectly fall apart. 32 keeps both.
    public static let defaultRank = 32

    public let rank: Int
    public let singularValues: [Float]
    /// `competencies × rank`: row `i` is `L_i`.
    public let vectors: Matrix
    /// `rank × competencies`: `vectors` transposed, for `embed`.
    let vectorsT: Matrix
    /// `competencies × rank`: `L_i / ‖L_i‖` (zero rows stay zero).
    let unit: Matrix
    /// `cos(L_i, L_j)` for every pair, row-major, when the model has at most
    /// `similarityTableLimit` competencies (one `sgemm`, `unit · unitᵀ`); `nil` above that.
    /// Re-ranking asks for hundreds of thousands of pairs per request, and a lookup is ~30×
    /// cheaper than a rank-32 dot product.
    let table: [Float]?

    /// Largest model (in competencies) that gets a precomputed similarity table (4096² floats = 64 MiB).
    public static let similarityTableLimit = 4096

    init(rank: Int, singularValues: [Float], vectors: Matrix, vectorsT: Matrix, unit: Matrix) {
        self.rank = rank
        self.singularValues = singularValues
        self.vectors = vectors
        self.vectorsT = vectorsT
        self.unit = unit
        table = unit.rows <= Self.similarityTableLimit
            ? (try? unit.multiplied(by: unit, transposingOther: true))?.values : nil
    }

    /// Builds the space from a model's posts, courses and related links.
    /// - Throws: `EmbeddingsError.latentSpace` when the model has no rows or competencies, or
    ///   `rank < 1`, or the decomposition fails.
    /// - Complexity: O(rows × competencies × min(rows, competencies)), one `sgesdd`.
    public static func build(model: CompetencyModel, rank: Int) throws(EmbeddingsError) -> LatentSpace {
        guard rank >= 1 else { throw .latentSpace(message: "rank must be at least 1, got \(rank)") }
        let a = trainingMatrix(model: model)
        guard a.rows > 0, a.columns > 0 else {
            throw .latentSpace(message: "the model has no posts, courses or related links to learn from")
        }
        let svd: SVD
        do {
            svd = try SVD.truncated(a, rank: rank)
        } catch {
            throw .latentSpace(message: error.description)
        }
        let k = svd.rank, n = a.columns
        var l = Matrix(rows: n, columns: k)
        for i in 0..<n {
            for r in 0..<k { l[i, r] = svd.vt[r, i] * svd.singularValues[r] }
        }
        // A competency no row mentions has a zero column in A; its latent vector is zero (not
        // the rounding noise of sgesdd, whose direction would be arbitrary).
        var columnUsed = [Bool](repeating: false, count: n)
        for r in 0..<a.rows { for i in 0..<n where a.values[r * n + i] != 0 { columnUsed[i] = true } }
        for i in 0..<n where !columnUsed[i] { for r in 0..<k { l[i, r] = 0 } }
        var unit = l
        for i in 0..<n {
            var norm: Float = 0
            for r in 0..<k { norm += l[i, r] * l[i, r] }
            norm = norm.squareRoot()
            if norm > 0 { for r in 0..<k { unit[i, r] = l[i, r] / norm } }
        }
        return LatentSpace(rank: k, singularValues: svd.singularValues, vectors: l, vectorsT: l.transposed, unit: unit)
    }

    /// The training matrix described on the type (rows: posts, then courses, then related pairs).
    public static func trainingMatrix(model: CompetencyModel) -> Matrix {
        let n = model.dimension
        var rows: [[Float]] = []
        func push(_ row: [Float]) {
            var norm: Float = 0
            for x in row { norm += x * x }
            guard norm > 0 else { return }
            let inv = 1 / norm.squareRoot()
            rows.append(row.map { $0 * inv })
        }
        for requirements in model.postRequirements {
            var row = [Float](repeating: 0, count: n)
            for r in requirements { row[r.index] += Float(r.weight) }
            push(row)
        }
        let maxLevel = Float(max(model.levels.max, 1))
        for course in model.courses {
            var row = [Float](repeating: 0, count: n)
            for t in course.teaches {
                if let i = model.index(ofCompetency: t.competency) { row[i] = max(row[i], Float(t.level) / maxLevel) }
            }
            push(row)
        }
        for (i, j) in model.relatedPairs {
            var row = [Float](repeating: 0, count: n)
            row[i] = 1
            row[j] = 1
            push(row)
        }
        // Rows have `n` values by construction.
        return (try? Matrix(rowVectors: rows, columns: n)) ?? Matrix(rows: 0, columns: n)
    }

    /// The number of competencies.
    public var competencyCount: Int { vectors.rows }

    /// `cos(L_i, L_j)`; 0 when either vector is zero.
    public func similarity(_ i: Int, _ j: Int) -> Float {
        precondition(i >= 0 && i < competencyCount && j >= 0 && j < competencyCount, "competency index out of range")
        if let table { return table[i * competencyCount + j] }
        return unit.values.withUnsafeBufferPointer { u in
            var dot: Float = 0
            let a = i * rank, b = j * rank
            for r in 0..<rank { dot += u[a + r] * u[b + r] }
            return dot
        }
    }

    /// `Σ_i weights[i] · L_i`, the latent image of an exact (per-competency) vector.
    /// - Precondition: `weights.count == competencyCount`.
    public func embed(_ weights: [Float]) -> [Float] {
        precondition(weights.count == competencyCount, "embed needs one weight per competency")
        // Shapes agree by the precondition.
        return (try? vectorsT.multiplied(by: weights)) ?? [Float](repeating: 0, count: rank)
    }

    /// `Σ_i weights[i] · L_i` for a sparse vector given as (competency index, weight) pairs, by
    /// a plain loop over its entries: O(entries × rank), no BLAS call (a posting names a few
    /// dozen competencies, so the dense product `embed(_:)` would mostly multiply zeros).
    public func embed(sparse entries: [(index: Int, weight: Float)]) -> [Float] {
        var z = [Float](repeating: 0, count: rank)
        vectors.values.withUnsafeBufferPointer { l in
            z.withUnsafeMutableBufferPointer { z in
                for (i, w) in entries where w != 0 {
                    precondition(i >= 0 && i < competencyCount, "competency index out of range")
                    let base = i * rank
                    for r in 0..<rank { z[r] += w * l[base + r] }
                }
            }
        }
        return z
    }

    /// The `limit` competencies most similar to competency `index` (itself excluded), best first.
    public func mostSimilar(to index: Int, limit: Int) -> [(index: Int, similarity: Float)] {
        var all: [(index: Int, similarity: Float)] = []
        for j in 0..<competencyCount where j != index { all.append((j, similarity(index, j))) }
        all.sort { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.index < $1.index }
        return Array(all.prefix(max(0, limit)))
    }
}

extension LatentSpace {
    /// `similarity` by competency id; `nil` for an unknown id.
    public func similarity(_ a: String, _ b: String, in model: CompetencyModel) -> Float? {
        guard let i = model.index(ofCompetency: a), let j = model.index(ofCompetency: b) else { return nil }
        return similarity(i, j)
    }
}
