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

    /// The area for a posting: the explicit city, else anywhere when asked, else the posting's city.
    static func resolve(city: String?, anyCity: Bool?, job: JobRecord) -> CandidateArea {
        if let city { return CandidateArea.city(city).normalized }
        if anyCity == true { return .anywhere }
        return job.city.map { CandidateArea.city($0).normalized } ?? .anywhere
    }
}

extension Engine {
    /// A posting's requirements: from the catalog when open, else computed from the record.
    func requirements(ofJob job: JobRecord) throws(ServiceError) -> RequirementProfile {
        if let seq = job.seq, let entry = jobs.view().entries[UInt64(seq)] { return entry.requirements }
        return try requirements(of: job)
    }

    /// Ranked, explained candidates for a posting, among consenting talents (owner or admin).
    func matchCandidates(jobID: String, area: (JobRecord) -> CandidateArea, k: Int, cursor: PageCursor?,
                         by identity: Identity) async throws -> (items: [Explained<TalentEntry>], next: PageCursor?) {
        let job = try await job(id: jobID)
        try identity.requireJobOwner(employerID: job.employerId)
        let needs = try requirements(ofJob: job)
        let (snapshot, entries) = talents.view()
        let where_ = area(job)
        let filter = where_ == .anywhere ? nil : talents.filter(key: where_.cacheKey, snapshot: snapshot,
                                                                                entries: entries, allows: where_.allows)
        let started = ContinuousClock.now
        let ranked = try Ranking.rank(query: vectorizer.searchVector(needs), snapshot: snapshot, entries: entries,
                                      filter: filter, depth: config.retrievalDepth, id: \.id) { talent in
            Fit.score(have: talent.capabilities, need: needs, latent: latent)
        }
        let page = Ranking.page(ranked, k: k, after: cursor) { Fit.evaluate(have: $0.capabilities, need: needs, latent: latent) }
        SearchMetrics.record(index: .talents, seconds: (ContinuousClock.now - started).seconds)
        return page
    }
}
