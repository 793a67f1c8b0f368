/// The asymmetric fit of what a person has to what a posting needs, used to re-rank search
/// results and to explain them.
///
/// For each requirement `j` (weight `w_j`, needed level `n_j`), with `h_j` the person's
/// effective level (0 when absent):
/// - **exact coverage** `x_j = min(h_j / n_j, 1)`;
/// - **related credit** `r_j = max_i β · s_ij · min(h_i / n_j, 1)` over the person's other
///   competencies `i` whose latent similarity `s_ij ≥ τ` (β = 0.5, τ = 0.4), so a related
///   competency is worth at most half an exact one; 0 without a latent space;
/// - **coverage** `c_j = max(x_j, r_j)`.
///
/// `score = Σ_j w_j c_j` ∈ [0, 1] (weights sum to 1), split into `exact = Σ_j w_j x_j` and
/// `related = Σ_j w_j (c_j − x_j)`. `gaps` lists requirements with `h_j < n_j`, `gap = n_j − h_j`,
/// ranked by `w_j × gap` (largest first); `extras` the person's competencies the posting does
/// not require, strongest first.
public enum Fit {
    public struct Configuration: Sendable {
        /// β: the most a related competency can cover.
        public var relatedCap: Double = 0.5
        /// τ: the least latent similarity that counts.
        public var relatedThreshold: Float = 0.4
        public init() {}
    }

    public static let formula = """
        score = Σ w_j · max(min(have_j / need_j, 1), related_j); related_j = max_i 0.5 · sim(i, j) · min(have_i / need_j, 1) \
        over competencies i with latent similarity sim(i, j) ≥ 0.4
        """

    public static func evaluate(have: CapabilityProfile, need: RequirementProfile, latent: LatentSpace? = nil,
                                configuration: Configuration = Configuration()) -> FitResult {
        let required = Set(need.entries.map(\.index))
        var score = 0.0, exactTotal = 0.0
        var matched: [FitResult.Match] = []
        var gaps: [FitResult.Gap] = []
        for req in need.entries {
            let c = coverage(of: req, have: have, latent: latent, configuration: configuration)
            score += req.weight * c.coverage
            exactTotal += req.weight * c.exact
            if c.coverage > 0 {
                matched.append(.init(competency: req.competency, have: c.have, need: req.level, weight: req.weight,
                                     coverage: c.coverage, via: c.related > c.exact ? c.via : nil))
            }
            if c.have < Double(max(req.level, 1)) {
                gaps.append(.init(competency: req.competency, have: c.have, need: req.level, gap: Double(max(req.level, 1)) - c.have,
                                  weight: req.weight, coverage: c.coverage))
            }
        }
        gaps.sort {
            let a = $0.weight * $0.gap, b = $1.weight * $1.gap
            return a != b ? a > b : $0.competency < $1.competency
        }
        matched.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.competency < $1.competency }
        let extras = have.entries.filter { !required.contains($0.index) && $0.level > 0 }
            .map { FitResult.Extra(competency: $0.competency, have: $0.level) }
        let clampedScore = min(max(score, 0), 1)
        return FitResult(score: clampedScore, exact: exactTotal, related: max(score - exactTotal, 0), matched: matched,
                         gaps: gaps, extras: extras)
    }

    /// `evaluate(…).score` without building the explanation: the same sums in the same order (so
    /// the same value to the last bit), no allocation. Re-ranking scores hundreds of candidates
    /// and explains only the page it returns.
    public static func score(have: CapabilityProfile, need: RequirementProfile, latent: LatentSpace? = nil,
                             configuration: Configuration = Configuration()) -> Double {
        var score = 0.0
        for req in need.entries {
            score += req.weight * coverage(of: req, have: have, latent: latent, configuration: configuration).coverage
        }
        return min(max(score, 0), 1)
    }

    /// One requirement's exact coverage, related credit (and through which competency), and
    /// the person's level of it.
    @inline(__always)
    static func coverage(of req: RequirementProfile.Entry, have: CapabilityProfile, latent: LatentSpace?,
                         configuration: Configuration) -> (exact: Double, related: Double, coverage: Double, have: Double, via: String?) {
        let n = Double(max(req.level, 1))
        var h = 0.0
        for e in have.entries where e.index == req.index { h = max(h, e.level) }
        let exact = min(h / n, 1)
        var related = 0.0
        var via: String?
        if let latent, exact < 1 {
            for e in have.entries where e.index != req.index && e.level > 0 {
                let s = latent.similarity(e.index, req.index)
                guard s >= configuration.relatedThreshold else { continue }
                let credit = configuration.relatedCap * Double(s) * min(e.level / n, 1)
                if credit > related {
                    related = credit
                    via = e.competency
                }
            }
        }
        return (exact, related, max(exact, related), h, via)
    }
}

/// The outcome of `Fit.evaluate`, ready to encode as JSON.
public struct FitResult: Codable, Sendable, Hashable {
    public struct Match: Codable, Sendable, Hashable {
        public var competency: String
        /// The person's effective level.
        public var have: Double
        public var need: Int
        public var weight: Double
        /// `c_j`.
        public var coverage: Double
        /// The related competency that gave the coverage, when it beat the exact one.
        public var via: String?
    }

    public struct Gap: Codable, Sendable, Hashable {
        public var competency: String
        public var have: Double
        public var need: Int
        /// `need − have`.
        public var gap: Double
        public var weight: Double
        public var coverage: Double
    }

    public struct Extra: Codable, Sendable, Hashable {
        public var competency: String
        public var have: Double
    }

    /// `Σ w_j c_j`, in [0, 1].
    public var score: Double
    /// `Σ w_j x_j`.
    public var exact: Double
    /// `score − exact`: what related competencies added.
    public var related: Double
    public var matched: [Match]
    /// By `weight × gap`, largest first.
    public var gaps: [Gap]
    public var extras: [Extra]
}
