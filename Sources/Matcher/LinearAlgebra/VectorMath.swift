import CBLAS

/// Small vector helpers over `[Float]`, backed by CBLAS level-1 routines.
public enum VectorMath {
    /// The inner product `Σ aᵢ·bᵢ`.
    /// - Precondition: `a.count == b.count`.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "dot of vectors of different lengths")
        guard !a.isEmpty else { return 0 }
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in cblas_sdot(blasint(a.count), pa.baseAddress, 1, pb.baseAddress, 1) }
        }
    }

    /// The Euclidean norm `‖v‖`.
    public static func norm(_ v: [Float]) -> Float {
        guard !v.isEmpty else { return 0 }
        return v.withUnsafeBufferPointer { p in cblas_snrm2(blasint(v.count), p.baseAddress, 1) }
    }

    /// `v / ‖v‖`, or `nil` for a zero (or non-finite-norm) vector.
    public static func normalized(_ v: [Float]) -> [Float]? {
        let n = norm(v)
        guard n > 0, n.isFinite else { return nil }
        let inv = 1 / n
        return v.map { $0 * inv }
    }

    /// Cosine similarity, 0 when either vector is zero.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        let na = norm(a), nb = norm(b)
        guard na > 0, nb > 0 else { return 0 }
        return dot(a, b) / (na * nb)
    }
}
