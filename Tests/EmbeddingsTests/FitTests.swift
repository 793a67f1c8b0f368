@testable import Embeddings
import Foundation
import Matcher
import TestSupport
import Testing

@Suite struct FitTests {
    let model = Mini.model

    func need(_ items: [(String, Int, Double)]) -> RequirementProfile {
        RequirementProfile(entries: items.map {
            .init(competency: $0.0, index: model.index(ofCompetency: $0.0)!, level: $0.1, weight: $0.2, sources: [])
        })
    }

    func have(_ items: [(String, Double)]) -> CapabilityProfile {
        CapabilityProfile(entries: items.map { .init(competency: $0.0, index: model.index(ofCompetency: $0.0)!, level: $0.1, evidence: []) })
    }

    /// Go: need 4, have 4 → 1; SQL: need 5, have 2.5 → 0.5; Docker: need 2, absent → 0.
    /// score = 0.5·1 + 0.3·0.5 + 0.2·0 = 0.65. Gaps: SQL 0.3 × 2.5 = 0.75 before Docker 0.2 × 2 = 0.4.
    @Test func coverageGapsAndExtrasByHand() throws {
        let r = Fit.evaluate(have: have([("prog.go", 4), ("data.sql", 2.5), ("prog.java", 3)]),
                             need: need([("prog.go", 4, 0.5), ("data.sql", 5, 0.3), ("cloud.docker", 2, 0.2)]))
        #expect(abs(r.score - 0.65) < 1e-12)
        #expect(abs(r.exact - 0.65) < 1e-12 && r.related == 0)
        #expect(r.matched.map(\.competency) == ["prog.go", "data.sql"])
        #expect(r.matched.map(\.coverage) == [1, 0.5])
        #expect(r.gaps.map(\.competency) == ["data.sql", "cloud.docker"])
        #expect(r.gaps.map(\.gap) == [2.5, 2])
        #expect(r.gaps.first?.have == 2.5 && r.gaps.first?.need == 5)
        #expect(r.extras == [.init(competency: "prog.java", have: 3)])
    }

    @Test func gapOrderFollowsWeightTimesGap() {
        // A: 0.6 × 1 = 0.6; B: 0.1 × 5 = 0.5; C: 0.3 × 3 = 0.9.
        let r = Fit.evaluate(have: have([("prog.go", 3)]),
                             need: need([("prog.go", 4, 0.6), ("data.sql", 5, 0.1), ("cloud.docker", 3, 0.3)]))
        #expect(r.gaps.map(\.competency) == ["cloud.docker", "prog.go", "data.sql"])
        #expect(abs(r.score - 0.6 * 0.75) < 1e-12)
    }

    @Test func overqualifiedIsCappedAndEmptyIsZero() {
        let r = Fit.evaluate(have: have([("prog.go", 8)]), need: need([("prog.go", 3, 1)]))
        #expect(r.score == 1 && r.gaps.isEmpty)
        let none = Fit.evaluate(have: have([]), need: need([("prog.go", 3, 1)]))
        #expect(none.score == 0 && none.matched.isEmpty && none.gaps.count == 1)
    }

    /// TensorFlow needed at 4, PyTorch had at 4: related credit 0.5 · sim · 1, below exact.
    @Test func relatedCompetenciesGiveCappedPartialCredit() throws {
        let latent = try LatentSpace.build(model: model, rank: 6)
        let sim = Double(latent.similarity(model.index(ofCompetency: "ai.pytorch")!, model.index(ofCompetency: "ai.tensorflow")!))
        #expect(sim >= Double(Fit.Configuration().relatedThreshold))
        let r = Fit.evaluate(have: have([("ai.pytorch", 4)]), need: need([("ai.tensorflow", 4, 1)]), latent: latent)
        #expect(abs(r.score - 0.5 * sim) < 1e-6)
        #expect(r.exact == 0 && abs(r.related - r.score) < 1e-12)
        #expect(r.matched.first?.via == "ai.pytorch")
        #expect(r.gaps.map(\.competency) == ["ai.tensorflow"])
        // Unrelated competencies give nothing.
        let far = Fit.evaluate(have: have([("ecom.live-commerce", 8)]), need: need([("ai.tensorflow", 4, 1)]), latent: latent)
        #expect(far.score == 0)
    }

    @Test func resultEncodesAsJSON() throws {
        let r = Fit.evaluate(have: have([("prog.go", 2)]), need: need([("prog.go", 4, 1)]))
        let back = try JSONDecoder().decode(FitResult.self, from: JSONEncoder().encode(r))
        #expect(back == r)
    }

    /// Re-ranking scores with `Fit.score` and explains with `Fit.evaluate`: the two must agree to
    /// the last bit, or a page's order could disagree with its own explanations.
    @Test func scoreEqualsEvaluateBitForBit() throws {
        let latent = try LatentSpace.build(model: model, rank: 6)
        let ids = model.competencies.map(\.id)
        var rng = SplitMix64(seed: 2024)
        for _ in 0..<300 {
            let needIDs = Array(ids.shuffled(using: &rng).prefix(Int.random(in: 1...6, using: &rng)))
            let weights = needIDs.map { _ in Double.random(in: 0.05...1, using: &rng) }
            let total = weights.reduce(0, +)
            let n = need(needIDs.enumerated().map { ($1, Int.random(in: 1...8, using: &rng), weights[$0] / total) })
            let h = have(ids.shuffled(using: &rng).prefix(Int.random(in: 0...8, using: &rng))
                .map { ($0, Double(Int.random(in: 1...16, using: &rng)) / 2) })
            for space in [nil, latent] {
                #expect(Fit.score(have: h, need: n, latent: space) == Fit.evaluate(have: h, need: n, latent: space).score)
            }
        }
    }

    /// The scorers re-ranking uses (one person against many postings, one posting against many
    /// people) give `Fit.score` to the last bit, in any order of calls (the person's memo fills
    /// as it goes), with and without a latent space.
    @Test func scorersEqualFitScoreBitForBit() throws {
        let latent = try LatentSpace.build(model: model, rank: 6)
        let ids = model.competencies.map(\.id)
        var rng = SplitMix64(seed: 77)
        func randomNeed() -> RequirementProfile {
            let needIDs = Array(ids.prefix(60).shuffled(using: &rng).prefix(Int.random(in: 1...8, using: &rng)))
            let weights = needIDs.map { _ in Double.random(in: 0.05...1, using: &rng) }
            let total = weights.reduce(0, +)
            return need(needIDs.enumerated().map { ($1, Int.random(in: 0...8, using: &rng), weights[$0] / total) })
        }
        func randomHave() -> CapabilityProfile {
            // Few ids, so that people and postings overlap and related credit is common.
            have(ids.prefix(40).shuffled(using: &rng).prefix(Int.random(in: 0...12, using: &rng))
                .map { ($0, Double(Int.random(in: 0...16, using: &rng)) / 2) })
        }
        for space in [nil, latent] {
            for _ in 0..<40 {
                let h = randomHave()
                var person = Fit.PersonScorer(have: h, dimension: model.dimension, latent: space)
                for _ in 0..<30 {
                    let n = randomNeed()
                    #expect(person.score(n) == Fit.score(have: h, need: n, latent: space))
                }
                let n = randomNeed()
                let posting = Fit.PostingScorer(need: n, latent: space)
                for _ in 0..<30 {
                    let h = randomHave()
                    #expect(posting.score(h) == Fit.score(have: h, need: n, latent: space))
                }
            }
        }
    }

    /// The precomputed similarity table agrees with the rank-r dot product it replaces.
    @Test func similarityTableMatchesDotProducts() throws {
        let latent = try LatentSpace.build(model: model, rank: 6)
        #expect(latent.table != nil)
        let n = latent.competencyCount, r = latent.rank
        for i in 0..<n {
            for j in 0..<n {
                var dot: Float = 0
                for t in 0..<r { dot += latent.unit.values[i * r + t] * latent.unit.values[j * r + t] }
                #expect(abs(latent.similarity(i, j) - dot) <= 1e-5, "\(i), \(j)")
            }
        }
    }
}
