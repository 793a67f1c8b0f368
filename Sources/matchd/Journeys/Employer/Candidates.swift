import Embeddings
import Foundation
import Matcher

/// Where candidates must be: a city (where they live or want to work), or anywhere.
enum CandidateArea: Sendable, Equatable, Hashable {
    case anywhere
    case city(String)

    /// - Precondition: a `.city` area holds a `cityKey`-normalised name (`normalized`).
    func allows(_ talent: TalentEntry) -> Bool {
        switch self {
        case .anywhere: true
        case .city(let c): talent.cityKeys.contains(c)
        }
    }

    /// The same area with its city normalised.
    var normalized: CandidateArea {
        switch self {
        case .anywhere: .anywhere
        case .city(let c): .city(cityKey(c))
        }
    }

    var cacheKey: String {
        switch self {
        case .anywhere: "*"
        case .city(let c): "city:" + c
        }
    }

    /// The area for a posting in `postingCity`: the explicit city, else anywhere when asked,
    /// else the posting's city.
    static func resolve(city: String?, anyCity: Bool?, postingCity: String?) -> CandidateArea {
        if let city { return CandidateArea.city(city).normalized }
        if anyCity == true { return .anywhere }
        return postingCity.map { CandidateArea.city($0).normalized } ?? .anywhere
    }
}

extension Engine {
    /// A posting's requirements: from the catalog when open, else computed from the record.
    func requirements(ofJob job: JobRecord) throws(ServiceError) -> RequirementProfile {
        if let seq = job.seq, let entry = jobs.view().entries[UInt64(seq)] { return entry.requirements }
        return try requirements(of: job)
    }

    /// Ranked, explained candidates for a posting, among consenting talents (owner or admin). An
    /// open posting is read from the jobs catalog (its requirements kept when it was written),
    /// others from the store.
    func matchCandidates(jobID: String, area: (_ postingCity: String?) -> CandidateArea, k: Int, cursor: PageCursor?,
                         by identity: Identity) async throws -> (items: [Explained<TalentEntry>], next: PageCursor?) {
        let posting: (employerId: String, city: String?, needs: RequirementProfile)
        if let entry = jobs.entry(id: jobID) {
            posting = (entry.employerId, entry.city, entry.requirements)
        } else {
            let job = try await job(id: jobID)
            posting = (job.employerId, job.city, try requirements(of: job))
        }
        try identity.requireJobOwner(employerID: posting.employerId)
        let needs = posting.needs
        let ranked = try await talents.match(candidateQuery(needs, area: area(posting.city)), depth: config.retrievalDepth,
                                             metrics: .talents)
        return ranked.page(k: k, after: cursor) { Fit.evaluate(have: $0.capabilities, need: needs, latent: latent) }
    }

    /// The search for candidates who meet `needs` in `area`, re-ranked by fit.
    func candidateQuery(_ needs: RequirementProfile, area: CandidateArea) -> MatchQuery<TalentEntry> {
        let scorer = Fit.PostingScorer(need: needs, latent: latent)
        return MatchQuery(vector: vectorizer.searchVector(needs),
                          scope: area == .anywhere ? nil : MatchScope(key: area.cacheKey, allows: area.allows),
                          score: { scorer.score($0.capabilities) })
    }
}
