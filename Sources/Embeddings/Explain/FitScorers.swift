/// `Fit.score` of one side against many of the other, with what depends on that side alone done
/// once: re-ranking scores a seeker against hundreds of postings, or a posting against hundreds
/// of people, per request. Both give `Fit.score`'s value to the last bit (the same coverage
/// values, summed in the same order), so a page ranked by them agrees with its explanations.
extension Fit {
    /// One person against many postings. A requirement's coverage depends on the person, the
    /// competency and the needed level only (`Fit.coverage`), and postings of one field share
    /// most of their requirements: each (competency, needed level) is computed once.
    public struct PersonScorer {
        private let have: CapabilityProfile
        private let latent: LatentSpace?
        private let configuration: Configuration
        /// Coverage by `index × levels + max(level, 1)`; NaN where not computed yet.
        private var memo: [Double]
        private static var levels: Int { 9 }

        public init(have: CapabilityProfile, dimension: Int, latent: LatentSpace? = nil,
                    configuration: Configuration = Configuration()) {
            self.have = have
            self.latent = latent
            self.configuration = configuration
            memo = [Double](repeating: .nan, count: dimension * Self.levels)
        }

        public mutating func score(_ need: RequirementProfile) -> Double {
            var score = 0.0
            for req in need.entries {
                let level = max(req.level, 1)
                let slot = req.index * Self.levels + level
                guard level < Self.levels, slot < memo.count else {
                    score += req.weight * Fit.coverage(of: req, have: have, latent: latent, configuration: configuration).coverage
                    continue
                }
                var c = memo[slot]
                if c.isNaN {
                    c = Fit.coverage(of: req, have: have, latent: latent, configuration: configuration).coverage
                    memo[slot] = c
                }
                score += req.weight * c
            }
            return min(max(score, 0), 1)
        }
    }

    /// One posting against many people: each requirement's latent neighbours (similarity ≥ τ) are
    /// laid out once as a dense row over the competencies, so a person's related credit is a
    /// look-up per held competency instead of a call into the latent space.
    public struct PostingScorer {
        private let need: RequirementProfile
        /// Per requirement, in `need` order: similarity to every competency, 0 below τ (and for itself).
        private let related: [[Float]]
        private let hasLatent: Bool
        private let configuration: Configuration

        public init(need: RequirementProfile, latent: LatentSpace? = nil, configuration: Configuration = Configuration()) {
            self.need = need
            self.configuration = configuration
            hasLatent = latent != nil
            related = need.entries.map { req in
                guard let latent else { return [] }
                return (0..<latent.competencyCount).map { i in
                    guard i != req.index else { return 0 }
                    let s = latent.similarity(i, req.index)
                    return s >= configuration.relatedThreshold ? s : 0
                }
            }
        }

        public func score(_ have: CapabilityProfile) -> Double {
            var score = 0.0
            for (r, req) in need.entries.enumerated() {
                let n = Double(max(req.level, 1))
                var h = 0.0
                for e in have.entries where e.index == req.index { h = max(h, e.level) }
                let exact = min(h / n, 1)
                var related = 0.0
                if hasLatent, exact < 1 {
                    let row = self.related[r]
                    for e in have.entries where e.index != req.index && e.level > 0 && e.index < row.count {
                        let s = row[e.index]
                        guard s > 0 else { continue }
                        let credit = configuration.relatedCap * Double(s) * min(e.level / n, 1)
                        if credit > related { related = credit }
                    }
                }
                score += req.weight * max(exact, related)
            }
            return min(max(score, 0), 1)
        }
    }
}
