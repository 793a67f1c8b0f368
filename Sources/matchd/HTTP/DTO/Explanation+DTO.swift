import Embeddings
import Foundation

/// A level as the API shows it: effective levels are products of trust factors and levels
/// (0.8 × 5 = 4.000000000000001), so they are rounded to 6 decimals for reading.
func presentedLevel(_ level: Double) -> Double { (level * 1e6).rounded() / 1e6 }

extension S.Gap {
    init(_ g: FitResult.Gap, model: CompetencyModel) {
        self.init(competency: g.competency, name: model.localizedName(of: g.competency), have: presentedLevel(g.have),
                  need: g.need, gap: presentedLevel(g.gap), weight: g.weight)
    }
}

extension S.Explanation {
    init(_ fit: FitResult, similarity: Float, model: CompetencyModel) {
        self.init(score: fit.score,
                  parts: .init(exact: fit.exact, related: fit.related, similarity: Double(similarity)),
                  matched: fit.matched.map { m in
                      .init(competency: m.competency, name: model.localizedName(of: m.competency), have: presentedLevel(m.have),
                            need: m.need, weight: m.weight, coverage: m.coverage, via: m.via)
                  },
                  missing: fit.gaps.map { S.Gap($0, model: model) },
                  extras: fit.extras.map { .init(competency: $0.competency, have: presentedLevel($0.have)) })
    }
}

extension S.JobMatchPage {
    init(_ page: (items: [Explained<JobEntry>], next: PageCursor?), model: CompetencyModel) {
        self.init(items: page.items.map { r in
            .init(job: S.JobSummary(r.entry), score: r.score,
                  explanation: S.Explanation(r.fit, similarity: r.similarity, model: model))
        }, nextCursor: page.next?.encoded)
    }
}

extension S.CandidatePage {
    init(_ page: (items: [Explained<TalentEntry>], next: PageCursor?), model: CompetencyModel) {
        self.init(items: page.items.map { r in
            .init(talent: S.CandidateSummary(r.entry), score: r.score,
                  explanation: S.Explanation(r.fit, similarity: r.similarity, model: model))
        }, nextCursor: page.next?.encoded)
    }
}
